# The seed R recipe (docs/method.md §2-§4, "directed" mode) on one point cloud, with timers:
# the seed authors' script builds a directed kNN graph (cccd::nng), takes per-arc Forman curvature
# 4 - D_i - D_j with D = in + out arcs, sums it per node over out-arcs, and sums all hop distances.
# Here FNN::get.knn (brute force) builds the kNN lists; cccd is not packaged in Debian.
#
#   Rscript seed_r_recipe.R POINTS.csv K        (apt-get install r-cran-igraph r-cran-fnn)
#
# Prints one line: n k knn_s forman_s apsp_s total_forman geodesic_sum (ordered pairs, = 2 g).
suppressPackageStartupMessages({
  library(igraph)
  library(FNN)
})

argv <- commandArgs(trailingOnly = TRUE)
if (length(argv) != 2) stop("usage: Rscript seed_r_recipe.R POINTS.csv K")
points <- as.matrix(read.csv(argv[1], header = FALSE))
k <- as.integer(argv[2])
n <- nrow(points)

clock <- function() as.numeric(Sys.time())

t_start <- clock()
nearest <- get.knn(points, k = k, algorithm = "brute")$nn.index
t_knn <- clock()

# One arc i -> j per neighbour j of i, then the recipe's dense per-arc Forman matrix.
arcs <- cbind(rep(seq_len(n), each = k), as.vector(t(nearest)))
net <- graph_from_edgelist(arcs, directed = TRUE)
deg <- degree(net, mode = "all")
forman <- 4 - outer(deg, deg, "+")
forman[as_adjacency_matrix(net, sparse = FALSE) == 0] <- 0
node_forman <- rowSums(forman)
t_forman <- clock()

hop <- distances(net)
geodesic_total <- sum(hop)
t_apsp <- clock()

cat(sprintf("n=%d k=%d knn_s=%.3f forman_s=%.3f apsp_s=%.3f total_forman=%.0f geodesic_sum=%.0f\n",
            n, k, t_knn - t_start, t_forman - t_knn, t_apsp - t_forman,
            sum(node_forman), geodesic_total))
