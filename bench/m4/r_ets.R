# R's ets() on M4 Hourly series, for the speed (and accuracy) comparison.
# Usage: Rscript r_ets.R TRAIN.csv OUT.ndjson EVERY
# Fits every EVERY-th series (1 = all) with frequency 24, forecasts 48
# steps with 95% intervals, writes forecast records like lepton-forecast's,
# and prints the CPU seconds spent in ets() + forecast() in total.
suppressPackageStartupMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
train <- read.csv(args[1], stringsAsFactors = FALSE)
every <- as.integer(args[3])
out <- file(args[2], "w")
cpu <- 0
count <- 0
for (i in seq(1, nrow(train), by = every)) {
  id <- train[i, 1]
  y <- as.numeric(train[i, -1])
  y <- y[!is.na(y)]
  t0 <- proc.time()
  fc <- forecast(ets(ts(y, frequency = 24)), h = 48, level = 95)
  t1 <- proc.time() - t0
  cpu <- cpu + t1[["user.self"]] + t1[["sys.self"]]
  count <- count + 1
  writeLines(sprintf('{"kind":"forecast","id":"%s","step":%d,"value":%.17g,"lo":%.17g,"hi":%.17g}', id, 1:48,
                     as.numeric(fc$mean), as.numeric(fc$lower), as.numeric(fc$upper)), out)
}
close(out)
cat(sprintf("%d %.3f\n", count, cpu))
