# Writes N case studies DIR/case-00001.md .. DIR/case-N.md:
#   awk -v n=1000 -v dir=DIR -f gen_cases.awk
# Case i's title is "Case i", so its slug is case-i (5 digits). Each is
# the technician jo's account of a case at nordmill after session
# tco-2025-02-10, with one claim, about 400 bytes, already in the canonical
# form (casestudies/FORMAT.md), so that casebook commits the very bytes
# that the git CLI commits for the same file.
BEGIN {
	for (i = 1; i <= n; i++) {
		f = sprintf("%s/case-%05d.md", dir, i)
		printf "---\ntitle: Case %05d\ntechnician: jo\naccount: nordmill\n", i > f
		printf "sessions:\n  - tco-2025-02-10\nprinciples:\n  - Listen first\n" > f
		printf "claims:\n  - kpi: first_time_fix_rate\n    before: 64\n    after: 82\n" > f
		printf "    period: 2025-01-01..2025-06-30\n---\n" > f
		printf "\n## Situation\n\nThe plant lost orders after stoppage %d.\n", i > f
		printf "\n## Actions\n\nI asked what the plant manager is measured on.\n" > f
		printf "\n## Outcome\n\nThe lost customer came back.\n" > f
		close(f)
	}
}
