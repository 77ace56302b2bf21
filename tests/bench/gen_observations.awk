# Writes N observations for M accounts and K measures as a casebook data CSV:
#   awk -v n=1000000 -v accounts=200 -v measures=10 -v seed=1 -f gen_observations.awk
# Measures are bench.m1..bench.mK (0..100, decimals), accounts acct-0001...;
# times spread over two years from 2024-01-01, in file order by time as a
# real export would be, so the import must cluster them itself.
BEGIN {
	srand(seed ? seed : 1)
	print "account,measure,at,value,source"
	start = 1704067200 # 2024-01-01T00:00:00Z
	span = 2 * 365 * 86400
	for (i = 0; i < n; i++) {
		t = start + int(i * span / n)
		a = 1 + int(rand() * accounts)
		m = 1 + int(rand() * measures)
		printf "acct-%04d,bench.m%d,%s,%.2f,gen\n", a, m, strftime("%Y-%m-%dT%H:%M:%SZ", t, 1), rand() * 100
	}
}
