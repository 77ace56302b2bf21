# The demo's organisation and two years of its customers' KPIs, generated:
#   awk -v dir=OUT -f scripts/demo-data.awk
# A field-service company maintains the equipment of 200 customer accounts.
# 40 technicians each serve 5 accounts; 6 trainers deliver the "Total
# Customer Orientation" program in 2025 in 16 sessions (in person, blended,
# virtual); 32 technicians attend, 8 do not (their 40 accounts are the
# natural control group). Observations for 2024-2025 follow each account's
# own level, a slow market trend, seasonality and noise; after an account's
# technician is trained (plus two weeks) its KPIs improve by an effect that
# differs by format: blended most, in person next, virtual least.
# 14 of the trained technicians write a case study each (case-*.md, listed
# in cases.txt with their reviewer and fate).
# Writes accounts.csv, people.csv, coverage.txt, sessions.csv,
# attendance.txt, observations.csv, cases.txt, case-*.md and planted.csv
# (the answer: each trained account's planted effect on the KPIs that
# follow their measures one to one) into dir.
# Deterministic (seeded).

function pick(list, n) { return list[1 + int(rand() * n)] }
function clamp(x, lo, hi) { return x < lo ? lo : x > hi ? hi : x }
function bern(p) { return rand() < p ? 1 : 0 }
# A normal deviate (Box-Muller), for noise.
function gauss() { return sqrt(-2 * log(1 - rand())) * cos(6.283185307 * rand()) }
function day_str(d) { return strftime("%Y-%m-%d", d * 86400, 1) }

BEGIN {
	srand(2025)
	split("Nordmill Hafenwerk Brightwater Castellan Ferrovia Lumen Oakridge Polaris Quarzo Rheinstahl Solvay Tidewater Ulmtec Vantage Westfalia Yellowpine Zephyr Aurora Boreal Cobalt Delta Everest Fjord Granite Helix Ironbridge Juniper Kestrel Lindholm Meridian", firms, " ")
	split("Paper|Logistics|Foods|Pharma|Rail|Plastics|Steel|Energy", kinds, "|")
	split("AG|GmbH|Ltd|SA|SpA|BV|AB|Oy", forms, "|")
	split("DACH Nordics Benelux France Iberia Italy UK", regions, " ")
	split("Jana Luca Mika Noor Omar Pia Rafael Sofia Tomas Ulla Viktor Wen Yara Zoltan Aino Bram Chiara Dario Elif Femi", given, " ")
	split("Berger Conti Dubois Eriksen Fischer Garcia Horvat Ivanova Jensen Kowalski Lindqvist Moreau Novak Olsen Petrov Quist Rossi Schmidt Tanaka Varga", family, " ")

	# Accounts: a firm name, a kind of business, a legal form.
	print "key,name,industry,region" > (dir "/accounts.csv")
	for (a = 1; a <= 200; a++) {
		f = firms[1 + (a - 1) % 30]; k = kinds[1 + int((a - 1) / 30) % 8]
		key[a] = sprintf("%s-%s-%d", tolower(f), tolower(k), a)
		printf "%s,%s %s %s,%s,%s\n", key[a], f, k, forms[1 + a % 8], k, pick(regions, 7) > (dir "/accounts.csv")
		level[a] = gauss()          # the account's own standing
	}

	print "key,name,roles,email" > (dir "/people.csv")
	for (t = 1; t <= 40; t++) {
		g = given[1 + (t - 1) % 20]; fa = family[1 + (t * 7) % 20]
		tech[t] = sprintf("%s.%s%d", tolower(substr(g, 1, 1)), tolower(fa), t)
		printf "%s,%s %s,technician,%s@service.example\n", tech[t], g, fa, tech[t] > (dir "/people.csv")
		for (i = 0; i < 5; i++)
			printf "%s %s 2024-01-01\n", tech[t], key[(t - 1) * 5 + i + 1] > (dir "/coverage.txt")
	}
	split("amartin bkeller cnakamura dosei ebrandt fmoreno", trainers, " ")
	split("Ana Martin|Bruno Keller|Chiara Nakamura|Dayo Osei|Emil Brandt|Flor Moreno", tnames, "|")
	for (i = 1; i <= 6; i++)
		printf "%s,%s,trainer%s,%s@service.example\n", trainers[i], tnames[i], i <= 2 ? ";consultant" : "", trainers[i] > (dir "/people.csv")
	print "gpeters,Greta Peters,consultant,gpeters@service.example" > (dir "/people.csv")
	print "mlindqvist,Maja Lindqvist,manager,mlindqvist@service.example" > (dir "/people.csv")
	print "ohaddad,Omar Haddad,admin,ohaddad@service.example" > (dir "/people.csv")

	# Sessions: every two weeks from 2025-02-03; formats in turn.
	split("in-person blended virtual", formats, " ")
	cost["in-person"] = 14000; cost["blended"] = 9500; cost["virtual"] = 4200
	days["in-person"] = 3; days["blended"] = 3; days["virtual"] = 2
	# Effect multipliers by format (blended best: coaching on real cases).
	mult["in-person"] = 1.0; mult["blended"] = 1.4; mult["virtual"] = 0.55
	split("Lyon|Hamburg|online|Milan|Rotterdam|online", places, "|")
	print "key,program,title,format,start,end,trainer,location,cost,currency,attendees" > (dir "/sessions.csv")
	start0 = 20122 # 2025-02-03
	for (s = 0; s < 16; s++) {
		fmt = formats[1 + s % 3]
		first = start0 + s * 14; last = first + days[fmt] - 1
		sk = sprintf("tco-%s", day_str(first))
		t1 = 2 * s + 1; t2 = 2 * s + 2
		strainer[sk] = trainers[1 + s % 6]
		printf "%s,tco,TCO %s cohort %d,%s,%s,%s,%s,%s,%d,EUR,%s;%s\n", sk, fmt, s + 1, fmt,
			day_str(first), day_str(last), trainers[1 + s % 6], fmt == "virtual" ? "online" : places[1 + s % 6],
			cost[fmt], tech[t1], tech[t2] > (dir "/sessions.csv")
		for (u = 0; u < 2; u++) {
			t = t1 + u
			tsession[t] = sk
			pre = int(clamp(52 + 8 * gauss(), 20, 90))
			gain = int(clamp((fmt == "virtual" ? 12 : 19) + 6 * gauss(), 0, 40))
			react = int(clamp((fmt == "virtual" ? 3.6 : 4.3) + 0.7 * gauss() + 0.5, 1, 5))
			printf "%s %s %d %d %d\n", sk, tech[t], react, pre, clamp(pre + gain, 0, 100) > (dir "/attendance.txt")
			for (i = 0; i < 5; i++) {
				a = (t - 1) * 5 + i + 1
				trained[a] = last + 14       # the effect starts after the lag
				effect[a] = mult[fmt] * (0.8 + 0.4 * rand())
				aformat[a] = fmt
			}
		}
	}

	# The answer key: the effect planted on the KPIs whose measures move
	# with it one to one (as the observations below add it): repair and
	# response hours, and the first-time fix rate in percentage points.
	print "account,format,kpi,effect" > (dir "/planted.csv")
	for (a = 1; a <= 200; a++)
		if (a in trained) {
			printf "%s,%s,mttr,%.6f\n", key[a], aformat[a], -0.55 * effect[a] > (dir "/planted.csv")
			printf "%s,%s,response_time,%.6f\n", key[a], aformat[a], -0.7 * effect[a] > (dir "/planted.csv")
			printf "%s,%s,first_time_fix_rate,%.6f\n", key[a], aformat[a], 7 * effect[a] > (dir "/planted.csv")
		}

	# Case studies: 14 trained technicians each write one about one of
	# their accounts, over the 180 days after the training took effect.
	# Their claims come from the account's own data (what the technician
	# saw on the customer's dashboard), so the evidence check can agree;
	# some first drafts claim more than the data shows.
	ncases = 0
	for (s = 0; s < 12; s++) {
		ct[++ncases] = 2 * s + 1
		if (s == 1 || s == 4)
			ct[++ncases] = 2 * s + 2
	}
	for (c = 1; c <= ncases; c++) {
		t = ct[c]; a = (t - 1) * 5 + 1 + c % 5
		ca[c] = a; cas[a] = c
		cfrom[c] = trained[a]; cto[c] = trained[a] + 179
		if (cto[c] > 20453) cto[c] = 20453
		csession[c] = tsession[t]; ctrainer[c] = strainer[tsession[t]]
	}

	# Observations, 2024-01-01 .. 2025-12-31, day by day in time order.
	out = dir "/observations.csv"
	print "account,measure,at,value" > out
	d0 = 19723; d1 = 20453
	for (d = d0; d <= d1; d++) {
		ds = day_str(d)
		season = sin(6.283185307 * (d - d0) / 365.25)  # a yearly swing
		trend = 0.25 * (d - d0) / (d1 - d0)             # the market drifts up
		for (a = 1; a <= 200; a++) {
			e = (a in trained && d >= trained[a]) ? effect[a] : 0
			L = level[a]
			# Relationship survey: about one respondent a week per account.
			if (rand() < 0.14) {
				base = 6.4 + 0.8 * L + trend + 0.3 * season + 0.6 * e
				printf "%s,survey.goals,%s,%d\n", key[a], ds, clamp(int(base + 1.6 * gauss() + 0.5), 0, 10) > out
				printf "%s,survey.understanding,%s,%d\n", key[a], ds, clamp(int(base - 0.4 + 1.6 * gauss() + 0.5), 0, 10) > out
				printf "%s,survey.mindset,%s,%d\n", key[a], ds, clamp(int(base + 0.2 + 1.5 * gauss() + 0.5), 0, 10) > out
				printf "%s,survey.recommend,%s,%d\n", key[a], ds, clamp(int(base + 0.6 + 1.7 * gauss() + 0.5), 0, 10) > out
			}
			if (rand() < 0.2) {
				printf "%s,csat.score,%s,%d\n", key[a], ds, clamp(int(3.6 + 0.3 * L + 0.3 * e + 0.8 * gauss() + 0.5), 1, 5) > out
				printf "%s,ces.score,%s,%d\n", key[a], ds, clamp(int(3.9 - 0.3 * L - 0.45 * e + 1.1 * gauss() + 0.5), 1, 7) > out
			}
			# Work orders: about one every other day, more in winter.
			if (rand() < 0.45 + 0.1 * season) {
				ftf = bern(clamp(0.71 + 0.04 * L + 0.07 * e - 0.02 * season, 0, 1))
				printf "%s,workorder.first_time_fix,%s,%d\n", key[a], ds, ftf > out
				printf "%s,workorder.within_sla,%s,%d\n", key[a], ds, bern(clamp(0.86 + 0.03 * L + 0.04 * e, 0, 1)) > out
				rh = sprintf("%.2f", clamp(4.6 - 0.3 * L - 0.55 * e + 1.2 * gauss(), 0.3, 24))
				printf "%s,repair.hours,%s,%s\n", key[a], ds, rh > out
				if (a in cas) {
					w = window(cas[a], d)
					if (w) { nwo[cas[a], w]++; sftf[cas[a], w] += ftf; srh[cas[a], w] += rh }
				}
				printf "%s,call.response_hours,%s,%.2f\n", key[a], ds, clamp(6.2 - 0.4 * L - 0.7 * e + 0.6 * season + 1.8 * gauss(), 0.5, 48) > out
				printf "%s,visit.repeat,%s,%d\n", key[a], ds, bern(clamp(0.12 - 0.02 * L - 0.035 * e, 0, 1)) > out
			}
			# Equipment hours, weekly.
			if ((d - d0) % 7 == a % 7) {
				printf "%s,equipment.planned_h,%s,%.1f\n", key[a], ds, 120 > out
				printf "%s,equipment.run_h,%s,%.1f\n", key[a], ds, clamp(120 * (0.925 + 0.01 * L + 0.012 * e) + 2.5 * gauss(), 0, 120) > out
			}
			# Maintenance contracts coming up for renewal, now and then.
			if (rand() < 0.012) {
				rn = bern(clamp(0.8 + 0.05 * L + 0.06 * e, 0, 1))
				printf "%s,contract.renewed,%s,%d\n", key[a], ds, rn > out
				if (a in cas && (w = window(cas[a], d))) { nrn[cas[a], w]++; srn[cas[a], w] += rn }
			}
		}
	}

	write_cases()
}

# 1: day d is in the 90 days before case c's period (its before window),
# 2: in the last 90 days of the period (its after window), 0: neither.
function window(c, d) {
	if (d >= cfrom[c] - 90 && d < cfrom[c]) return 1
	if (d > cto[c] - 90 && d <= cto[c]) return 2
	return 0
}

function r1(x) { return sprintf("%.1f", x) }
function r2(x) { return sprintf("%.2f", x) }

# One claim as YAML list items.
function claim(kpi, before, after, c, note) {
	return sprintf("  - kpi: %s\n    before: %s\n    after: %s\n    period: %s..%s\n%s", kpi,
		before, after, day_str(cfrom[c]), day_str(cto[c]), note == "" ? "" : "    note: " note "\n")
}

# The case files (one per case, and a corrected second version when the
# first claims too much) and cases.txt: slug, technician, reviewer,
# session, the first file, the second file or "-", what happens at the
# end (approve, publish or wait).
function write_cases(   c, a, t, f, slug, mb, ma, fb, fa, claims, honest, v, fate) {
	split("Cut repair times at %s by asking about their production plan|Fixed first time at %s: parts planned with the shift lead|Keeping %s's lines running: fewer callbacks, faster repairs|A renewal at %s that started with one question", titles, "|")
	split("repair-times first-time-fix callbacks renewal", topics, " ")
	for (c = 1; c <= ncases; c++) {
		a = ca[c]; t = ct[c]
		slug = sprintf("%s-%s", key[a], topics[1 + c % 4])
		mb = srh[c, 1] / nwo[c, 1]; ma = srh[c, 2] / nwo[c, 2]
		fb = 100 * sftf[c, 1] / nwo[c, 1]; fa = 100 * sftf[c, 2] / nwo[c, 2]
		honest = claim("mttr", r2(mb), r2(ma), c, "Mean hours from arrival on site to the line running again") \
			claim("first_time_fix_rate", r1(fb), r1(fa), c, "")
		if (c % 4 == 3) {
			# Nobody tells a success story with a KPI that fell.
			if (nrn[c, 1] && nrn[c, 2] && srn[c, 2] / nrn[c, 2] >= srn[c, 1] / nrn[c, 1])
				honest = honest claim("contract_renewal_rate", r1(100 * srn[c, 1] / nrn[c, 1]), r1(100 * srn[c, 2] / nrn[c, 2]), c, "Maintenance contracts renewed")
			else if (!nrn[c, 1] || !nrn[c, 2])
				honest = honest claim("contract_renewal_rate", "50", "100", c, "Renewals as the customer's buyer remembers them")
		}
		f = sprintf("%s/case-%s.md", dir, slug)
		v = "-"
		if (c % 4 == 2) {
			# The first draft remembers a bigger change than the data shows.
			claims = claim("mttr", r1(mb + 0.8), r1(ma - 0.6), c, "") claim("first_time_fix_rate", r1(fb - 6), r1(fa + 8), c, "")
			write_case(f, c, claims, 1)
			v = sprintf("%s/case-%s.v2.md", dir, slug)
			write_case(v, c, honest, 2)
		} else {
			write_case(f, c, honest, 1)
		}
		fate = c % 5 == 0 ? "wait" : c % 3 == 1 ? "publish" : "approve"
		printf "%s %s %s %s %s %s %s\n", slug, tech[t], ctrainer[c], csession[c], f, v, fate > (dir "/cases.txt")
	}
}

function write_case(f, c, claims, version,   a, firm, kind) {
	a = ca[c]; firm = firms[1 + (a - 1) % 30]; kind = tolower(kinds[1 + int((a - 1) / 30) % 8])
	printf "---\ntitle: \"%s\"\ntechnician: %s\naccount: %s\nsessions:\n  - %s\n", sprintf(titles[1 + c % 4], firm), tech[ct[c]], key[a], csession[c] > f
	printf "principles:\n  - Understand the customer's business goal before the machine\n  - Ask how can I help at every visit\n" > f
	if (c % 2)
		printf "  - See the visit through the customer's eyes\n" > f
	printf "claims:\n%s---\n\n", claims > f
	printf "## Situation\n\n%s runs its %s plant in two shifts. Before the training every\n", firm, kind > f
	printf "visit was a repair call: we arrived, fixed what was broken and left, and\n" > f
	printf "nobody asked what a stop cost them. Their plant manager is measured on\n" > f
	printf "delivered orders, and unplanned stops were eating into them.\n\n" > f
	printf "## Actions\n\n" > f
	printf "- I asked the plant manager which stops hurt most and when a visit disturbs\n  production least, and now plan routine work into those windows.\n" > f
	printf "- Before each visit I call the shift lead for the symptoms and bring the parts\n  for the two most likely causes.\n" > f
	if (c % 2)
		printf "- After each repair I show the operators what to watch for, so that the\n  next fault is called in early.\n" > f
	if (version == 2)
		printf "- The figures above are now taken from the customer's own records for the\n  same periods, as the review asked.\n" > f
	printf "\n## Outcome\n\nRepairs are shorter and more of them are finished in one visit.\n" > f
	printf "%s's operations team now calls us before a small fault becomes a stop.\n", firm > f
	close(f)
}
