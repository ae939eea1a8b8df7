# Test-only: the seed R script's pooled correlations (fMNIST_kNN_RCoef_eval.r: `aa` and `aa2`),
# with its own data layout and indexing, on per-layer values given by ricciflow's test.
# Input (CSV on argv[1]): columns mod, layer, gchange, ric — one row per network `mod` and hidden
# layer `layer` = 1 … L−2: gchange = g_layer − g_{layer−1} (the script's total geodesic change
# "from prior layer", up to its factor 2 for ordered pairs), ric = Ric_layer.
# Output: "aa_r aa_p aa2_r aa2_p".
args <- commandArgs(trailingOnly = TRUE)
x <- read.csv(args[1])
sc_data <- data.frame(ssr = x$gchange, layer = x$layer, mod = x$mod)
fr_data <- data.frame(ssr = x$ric, layer = x$layer, mod = x$mod)
msc <- aggregate(ssr ~ layer + mod, sc_data, sum)
mfr <- aggregate(ssr ~ layer + mod, fr_data, sum)
aa <- cor.test(msc$ssr, mfr$ssr)
aa2 <- cor.test(msc$ssr[-which(msc$layer == 1)], mfr$ssr[-which(mfr$layer == max(mfr$layer))])
cat(sprintf("%.15g %.15g %.15g %.15g\n", aa$estimate, aa$p.value, aa2$estimate, aa2$p.value))
