#!/usr/bin/env bash
# End-to-end test of the somtile program on iris: train -> predict -> cluster -> grow ->
# plot -> export -> info, then bad inputs (exit status, exactly one line on stderr, no output file).
# Usage: test_cli.sh SOMTILE_BINARY DATA_DIR WORK_DIR
set -uo pipefail
somtile=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") data=$(cd "$2" && pwd) work=$3
fixtures=$(cd "$(dirname "$0")/../tests/fixtures" && pwd)
iris=$data/iris.csv
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
if ! command -v xmllint >/dev/null; then
  echo "xmllint not found (Debian: libxml2-utils); skipping" >&2
  exit 77
fi

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# ok NAME CMD...: must exit 0 with nothing on stderr (no terminal, so no progress bar).
ok() {
  local name=$1; shift
  "$@" >"$name.out" 2>"$name.err"
  local rc=$?
  [ $rc -eq 0 ] || fail "$name: exit $rc: $(cat "$name.err")"
  [ ! -s "$name.err" ] || fail "$name: unexpected stderr: $(cat "$name.err")"
}

# bad NAME EXPECTED_STATUS PATTERN CMD...: must exit with EXPECTED_STATUS and print exactly one
# line on stderr, "somtile: error: ..." containing PATTERN.
bad() {
  local name=$1 want=$2 pattern=$3; shift 3
  "$@" >"$name.out" 2>"$name.err"
  local rc=$?
  [ $rc -eq "$want" ] || fail "$name: exit $rc, expected $want"
  [ "$(wc -l <"$name.err")" -eq 1 ] || fail "$name: stderr is not one line: $(cat "$name.err")"
  grep -q "^somtile: error: .*$pattern" "$name.err" || fail "$name: stderr lacks '$pattern': $(cat "$name.err")"
}

# warns NAME PATTERN CMD...: must exit 0 and print exactly one line on stderr, a warning
# "somtile warning: ..." containing PATTERN.
warns() {
  local name=$1 pattern=$2; shift 2
  "$@" >"$name.out" 2>"$name.err"
  local rc=$?
  [ $rc -eq 0 ] || fail "$name: exit $rc: $(cat "$name.err")"
  [ "$(wc -l <"$name.err")" -eq 1 ] || fail "$name: stderr is not one line: $(cat "$name.err")"
  grep -q "^somtile warning: .*$pattern" "$name.err" || fail "$name: stderr lacks '$pattern': $(cat "$name.err")"
}

lines() { wc -l <"$1"; }
expect_lines() { [ "$(lines "$1")" -eq "$2" ] || fail "$1 has $(lines "$1") lines, expected $2"; }

# ---- the good path ----
ok help "$somtile" --help
grep -q "train" help.out || fail "--help does not list train"
ok version "$somtile" --version
for cmd in train predict impute cluster grow plot export info; do
  ok "help_$cmd" "$somtile" "$cmd" --help
  grep -q "^usage: somtile $cmd" "help_$cmd.out" || fail "$cmd --help has no usage line"
done

ok train "$somtile" train "$iris" --label-column label --rows 6 --cols 8 --topology hexagonal \
  --epochs 15 --training batch --init pca --sigma 2 -o model.som --history history.csv
[ -s model.som ] || fail "train wrote no model"
grep -q "QE .*TE " train.out || fail "train does not print QE/TE: $(cat train.out)"
expect_lines history.csv 16

ok predict "$somtile" predict model.som "$iris" --label-column label -o bmu.csv
expect_lines bmu.csv 151
head -1 bmu.csv | grep -qx "unit,row,col" || fail "predict header: $(head -1 bmu.csv)"
# row and col agree with the unit index on an 8-column grid, units in [0, 48)
awk -F, 'NR > 1 && ($1 != $2 * 8 + $3 || $1 < 0 || $1 >= 48) { bad = 1 } END { exit bad }' bmu.csv ||
  fail "predict: unit, row and col disagree"
# the units are labelled from the samples scored: purity, never called an accuracy
grep -qx "150 samples on [0-9]* of 48 units, mean QE 0\.[0-9]*, TE 0\.[0-9]*, purity 0\.[89][0-9]* (units labelled by the majority of these samples, so not a held-out accuracy)" predict.out ||
  fail "predict prints no summary: $(cat predict.out)"
grep -q "accuracy 0" predict.out && fail "predict calls a Som's purity an accuracy: $(cat predict.out)"
# CSV on stdout: the summary goes to stderr, the CSV alone to stdout
"$somtile" predict model.som "$iris" --label-column label >predict_stdout.out 2>predict_stdout.err ||
  fail "predict to stdout: exit $?"
cmp -s predict_stdout.out bmu.csv || fail "predict to stdout differs from predict -o"
grep -qx "150 samples on .*" predict_stdout.err || fail "predict to stdout: no summary on stderr: $(cat predict_stdout.err)"

for method in kmeans gmm hdbscan; do
  clusters=3; [ $method = hdbscan ] && clusters=0
  ok "cluster_$method" "$somtile" cluster model.som --method $method --clusters $clusters -o "units_$method.csv"
  expect_lines "units_$method.csv" 49
  grep -q "silhouette" "cluster_$method.out" || fail "cluster $method prints no silhouette"
done
[ "$(tail -n +2 units_kmeans.csv | cut -d, -f4 | sort -u | wc -l)" -eq 3 ] || fail "kmeans: not 3 clusters"
# automatic k: the criterion and the sqrt(units) cap (48 units -> k <= 6)
ok cluster_auto_silhouette "$somtile" cluster model.som -o units_auto.csv
grep -q "(chosen automatically)" cluster_auto_silhouette.out || fail "automatic k: $(cat cluster_auto_silhouette.out)"
grep -q "silhouette for k = 1..6:" cluster_auto_silhouette.out || fail "--auto-k silhouette: $(cat cluster_auto_silhouette.out)"
ok cluster_auto_elbow "$somtile" cluster model.som --auto-k elbow --max-k 4 -o units_elbow.csv
grep -q "inertia for k = 1..4:" cluster_auto_elbow.out || fail "--auto-k elbow --max-k 4: $(cat cluster_auto_elbow.out)"
# HDBSCAN options: min_samples, leaf selection, a single cluster
ok cluster_hdbscan_opts "$somtile" cluster model.som --method hdbscan --min-samples 3 --cluster-selection leaf -o units_leaf.csv
expect_lines units_leaf.csv 49
ok cluster_single "$somtile" cluster model.som --method hdbscan --min-samples 48 --min-cluster-size 30 \
  --allow-single-cluster -o units_single.csv
[ "$(tail -n +2 units_single.csv | cut -d, -f4 | grep -cvxE -- '-1|0')" -eq 0 ] || fail "single cluster: labels other than 0 and -1"
grep -q ": 1 clusters" cluster_single.out || fail "--allow-single-cluster: $(cat cluster_single.out)"
ok cluster_no_single "$somtile" cluster model.som --method hdbscan --min-samples 48 --min-cluster-size 30 -o units_none.csv
grep -q ": 0 clusters" cluster_no_single.out || fail "without --allow-single-cluster: $(cat cluster_no_single.out)"
# n_clusters with HDBSCAN: ignored, with a warning
warns hdbscan_k "Som::cluster(): --clusters 3 is ignored by hdbscan" "$somtile" cluster model.som --method hdbscan --clusters 3 -o units_hk.csv
cmp -s units_hk.csv units_hdbscan.csv || fail "hdbscan --clusters 3 differs from --clusters 0"
# GMM options: reg_covar and max_iter (too few iterations: a warning)
ok cluster_gmm_reg "$somtile" cluster model.som --method gmm --clusters 3 --reg-covar 0.1 -o units_reg.csv
warns cluster_gmm_iter "did not converge within --max-iter 1 iterations.*increase --max-iter" "$somtile" cluster model.som --method gmm --clusters 3 \
  --max-iter 1 --cluster-seed 1 -o units_iter.csv
# train without a size: the SOM Toolbox's choice (iris: 64 units, 16 x 4)
ok train_auto "$somtile" train "$iris" --label-column label -o auto.som
grep -q "^map size from the data: 16 x 4 (" train_auto.out || fail "train without a size: $(cat train_auto.out)"
grep -q "sigma 2 -> 1)" train_auto.out || fail "train without a size: sigma falls to 1 (som_make): $(cat train_auto.out)"
grep -q "trained a 16 x 4 hexagonal map .* 23 batch epochs" train_auto.out || fail "train_auto: $(cat train_auto.out)"
ok train_auto_override "$somtile" train "$iris" --label-column label --topology rectangular --epochs 5 -o auto2.som
grep -q "trained a 16 x 4 rectangular map .* 5 batch epochs" train_auto_override.out || fail "train_auto_override: $(cat train_auto_override.out)"
# --purpose classify: a map sized for predict's majority labels (iris: about 100 units)
ok train_classify "$somtile" train "$iris" --label-column label --purpose classify -o classify.som
grep -Eq "^map size from the data: [0-9]+ x [0-9]+ \((9[0-9]|10[0-9]) units for 150 samples, one unit per 1.5 samples" \
  train_classify.out || fail "train --purpose classify: $(cat train_classify.out)"
grep -q "sigma [0-9.]* -> 0.3)" train_classify.out || fail "train --purpose classify's sigma: $(cat train_classify.out)"
# predict --clusters: each sample's cluster is the cluster of its unit (as somtile cluster labels the units)
ok predict_clusters "$somtile" predict model.som "$iris" --label-column label --clusters 3 -o bmu_clusters.csv
head -1 bmu_clusters.csv | grep -qx "unit,row,col,cluster" || fail "predict --clusters header: $(head -1 bmu_clusters.csv)"
cut -d, -f1-3 bmu_clusters.csv | cmp -s - bmu.csv || fail "predict --clusters changed the BMUs"
awk -F, 'NR == FNR { if (FNR > 1) unit[$1] = $4; next } FNR > 1 && unit[$1] != $4 { bad = 1 } END { exit bad }' \
  units_kmeans.csv bmu_clusters.csv || fail "predict --clusters: a sample's cluster is not its unit's"
grep -q "^150 samples on [0-9]* of 48 units in 3 of 3 clusters (k-means of the units' weights), mean QE" predict_clusters.out ||
  fail "predict --clusters summary: $(cat predict_clusters.out)"
ok predict_clusters_hdbscan "$somtile" predict model.som "$iris" --label-column label --clusters 0 --method hdbscan \
  -o bmu_hdbscan.csv
awk -F, 'NR == FNR { if (FNR > 1) unit[$1] = $4; next } FNR > 1 && unit[$1] != $4 { bad = 1 } END { exit bad }' \
  units_hdbscan.csv bmu_hdbscan.csv || fail "predict --clusters (hdbscan, noise -1): a sample's cluster is not its unit's"
grep -qx "k-means clustering (weights) of 48 units: 3 clusters" cluster_kmeans.out || fail "cluster title: $(head -1 cluster_kmeans.out)"
grep -q "^HDBSCAN clustering (weights) of 48 units" cluster_hdbscan.out || fail "cluster title: $(head -1 cluster_hdbscan.out)"

ok grow_vq "$somtile" grow "$iris" --label-column label --max-neurons 30 --lambda 20 -o vq.som
grep -q "neurons" grow_vq.out || fail "grow prints no neuron count: $(cat grow_vq.out)"
ok grow_clf "$somtile" grow "$iris" --label-column label --classifier --max-neurons 30 --lambda 20 -o clf.som
grep -q "training accuracy" grow_clf.out || fail "grow --classifier prints no accuracy: $(cat grow_clf.out)"
ok predict_vq "$somtile" predict vq.som "$iris" --label-column label -o vq.csv
expect_lines vq.csv 151
head -1 vq.csv | grep -qx "cluster" || fail "predict SomVQ header: $(head -1 vq.csv)"
ok predict_clf "$somtile" predict clf.som "$iris" --label-column label -o clf.csv
expect_lines clf.csv 151
# every predicted label is one of iris' classes, and the accuracy is reported
[ "$(tail -n +2 clf.csv | grep -cvx '[012]')" -eq 0 ] || fail "predict SomClassifier: labels outside 0..2"
grep -q "^150 samples in [0-9]* classes, mean QE .*, training accuracy 0\.[89][0-9]* (every sample is a training sample)$" predict_clf.out ||
  fail "predict SomClassifier accuracy: $(cat predict_clf.out)"
# held out only on samples the classifier was not grown on
head -101 "$iris" >iris_head.csv
{ head -1 "$iris"; tail -n +102 "$iris"; } >iris_tail.csv
ok grow_clf_head "$somtile" grow iris_head.csv --label-column label --classifier --max-neurons 30 --lambda 20 -o clf_head.som
ok info_clf_head "$somtile" info clf_head.som
grep -q "^training samples *100 (recorded" info_clf_head.out || fail "info of a classifier: $(cat info_clf_head.out)"
ok predict_clf_tail "$somtile" predict clf_head.som iris_tail.csv --label-column label -o /dev/null
grep -q "^50 samples in .*, held-out accuracy [01]\.[0-9]* (no sample is a training sample)$" predict_clf_tail.out ||
  fail "predict on held-out samples: $(cat predict_clf_tail.out)"
ok predict_clf_mixed "$somtile" predict clf_head.som "$iris" --label-column label -o /dev/null
grep -q "^150 samples in .*, accuracy [01]\.[0-9]* (100 of the samples are training samples), held-out accuracy [01]\.[0-9]* on the other 50$" predict_clf_mixed.out ||
  fail "predict on training and held-out samples: $(cat predict_clf_mixed.out)"
grep -q "^150 samples in [0-9]* of [0-9]* clusters, mean QE " predict_vq.out || fail "predict SomVQ summary: $(cat predict_vq.out)"
bad predict_clusters_vq 2 "--clusters clusters the units of a Som" "$somtile" predict vq.som "$iris" --label-column label --clusters 3
ok plot_grown "$somtile" plot clf.som --out-dir grown
for svg in network network_pca; do
  xmllint --noout "grown/$svg.svg" 2>/dev/null || fail "grown/$svg.svg missing or not well-formed XML"
done
ok info_vq "$somtile" info vq.som
grep -q "^kind *SomVQ" info_vq.out || fail "info SomVQ: $(cat info_vq.out)"

ok plot "$somtile" plot model.som "$iris" --label-column label --history history.csv --out-dir pictures
for svg in u_matrix component_planes elbow cluster_map hit_map classification_map training_errors; do
  [ -s "pictures/$svg.svg" ] || { fail "plot did not write $svg.svg"; continue; }
  xmllint --noout "pictures/$svg.svg" 2>/dev/null || fail "$svg.svg is not well-formed XML"
done
grep -q "^component_planes.svg:" plot.out && fail "plot of 4 features said it capped the planes: $(cat plot.out)"
# --max-planes: at most N component planes, the largest weight variance, said on stdout and in the title
ok plot_capped "$somtile" plot model.som --max-planes 2 --out-dir capped
grep -q "^component_planes.svg: 2 of 4 features, those of largest weight variance" plot_capped.out ||
  fail "plot --max-planes 2 did not say which planes: $(cat plot_capped.out)"
[ "$(grep -o 'class="panel"' capped/component_planes.svg | wc -l)" -eq 2 ] || fail "plot --max-planes 2: not 2 panels"
grep -q "2 of 4 features, largest variance" capped/component_planes.svg || fail "plot --max-planes 2: title"
bad max_planes_value 2 "max-planes" "$somtile" plot model.som --max-planes -1 --out-dir never
bad max_planes_grown 1 "max-planes applies to Som models" "$somtile" plot clf.som --max-planes 3 --out-dir never

for init in random sample pca uniform; do
  ok "train_init_$init" "$somtile" train "$iris" --label-column label --rows 4 --cols 5 --epochs 2 --init $init \
    -o "init_$init.som"
done
# sigma wider than the map: trains, with one warning line on stderr
"$somtile" train "$iris" --label-column label --rows 3 --cols 3 --epochs 2 --sigma 10 -o wide.som >wide.out 2>wide.err ||
  fail "train --sigma 10: exit $?"
[ "$(wc -l <wide.err)" -eq 1 ] && grep -q "^somtile warning: Som(): --sigma 10 is larger than the map" wide.err ||
  fail "train --sigma 10 on 3 x 3: $(cat wide.err)"

ok export "$somtile" export model.som --format cod -o model.cod
expect_lines model.cod 49
ok info "$somtile" info model.som
grep -q "6 x 8 hexagonal" info.out || fail "info: $(cat info.out)"

# ---- float models: train --dtype float, then every command that reads a Som ----
ok train_float "$somtile" train "$iris" --label-column label --rows 6 --cols 8 --epochs 15 \
  --training batch --init pca --sigma 2 --dtype float -o float.som
grep -q "epochs (float): QE .*TE " train_float.out || fail "train --dtype float: $(cat train_float.out)"
ok info_float "$somtile" info float.som
grep -q "^kind *Som (float)" info_float.out || fail "info float Som: $(cat info_float.out)"
grep -q "6 x 8 rectangular" info_float.out || fail "info float Som shape: $(cat info_float.out)"
[ "$(wc -c <float.som)" -lt "$(wc -c <model.som)" ] || fail "a float model is not smaller than a double one"
ok predict_float "$somtile" predict float.som "$iris" --label-column label -o bmu_float.csv
expect_lines bmu_float.csv 151
awk -F, 'NR > 1 && ($1 != $2 * 8 + $3 || $1 < 0 || $1 >= 48) { bad = 1 } END { exit bad }' bmu_float.csv ||
  fail "predict float model: unit, row and col disagree"
ok cluster_float "$somtile" cluster float.som --clusters 3 -o units_float.csv
expect_lines units_float.csv 49
ok export_float "$somtile" export float.som -o float.cod
expect_lines float.cod 49
ok plot_float "$somtile" plot float.som "$iris" --label-column label --out-dir pictures_float
xmllint --noout pictures_float/u_matrix.svg 2>/dev/null || fail "plot float model: no u_matrix.svg"
# the same float model, trained twice, is the same file
ok train_float_again "$somtile" train "$iris" --label-column label --rows 6 --cols 8 --epochs 15 \
  --training batch --init pca --sigma 2 --dtype float -o float2.som
cmp -s float.som float2.som || fail "train --dtype float is not deterministic"
ok train_double_explicit "$somtile" train "$iris" --label-column label --rows 6 --cols 8 --topology hexagonal \
  --epochs 15 --training batch --init pca --sigma 2 --dtype double -o double.som
cmp -s model.som double.som || fail "--dtype double differs from the default"

# ---- scaling carried by the model: --scale, raw data into predict; --skip-rows ----
# iris with the first feature in thousandths of a millimetre (1000 times wider), under a title line
{ echo "iris, petal and sepal sizes"; awk -F, 'NR == 1 { print; next } { $1 = $1 * 1000; print }' OFS=, "$iris"; } >wide.csv
"$somtile" train wide.csv --skip-rows 1 --label-column label --rows 4 --cols 5 -o unscaled.som >unscaled.out 2>unscaled.err ||
  fail "train on unscaled data: $(cat unscaled.err)"
grep -q "^somtile warning: Som::fit(): the features' ranges (max - min) differ .*(column 1: .*; use --scale standard (or scale the data)$" unscaled.err ||
  fail "train on unscaled data does not warn in the program's terms: $(cat unscaled.err)"
ok train_scaled "$somtile" train wide.csv --skip-rows 1 --label-column label --rows 4 --cols 5 --scale standard \
  -o scaled.som
grep -q "standard-scaled units" train_scaled.out || fail "train --scale: $(cat train_scaled.out)"
ok info_scaled "$somtile" info scaled.som
grep -q "^scaling *standard" info_scaled.out || fail "info does not show the scaling: $(cat info_scaled.out)"
ok predict_scaled "$somtile" predict scaled.som wide.csv --skip-rows 1 --label-column label -o scaled_bmu.csv
expect_lines scaled_bmu.csv 151
ok grow_scaled "$somtile" grow wide.csv --skip-rows 1 --label-column label --classifier --max-neurons 20 \
  --lambda 20 --scale minmax -o scaled_clf.som
ok predict_scaled_clf "$somtile" predict scaled_clf.som wide.csv --skip-rows 1 --label-column label -o scaled_clf.csv
grep -q "accuracy 0\.[89]" predict_scaled_clf.out || fail "scaled SomClassifier accuracy: $(cat predict_scaled_clf.out)"
bad title_line 1 "wide.csv:2 has 5 fields, expected 2 as set by line 1" "$somtile" train wide.csv --label-column -1 -o never.som
bad scale_value 2 "scale" "$somtile" train "$iris" --scale zscore -o never.som
bad skip_rows_value 2 "skip-rows" "$somtile" train "$iris" --skip-rows -1 -o never.som

# ---- missing values: train --missing mask, predict and impute read empty / nan / NA cells ----
# iris with holes: row 1 loses two features (empty and NA), row 3 one (nan), row 5 one (empty)
awk -F, 'NR == 2 { $1 = ""; $3 = "NA" } NR == 4 { $2 = "nan" } NR == 6 { $4 = "" } { print }' OFS=, "$iris" >holes.csv
bad holes_rejected 1 "holes.csv:2 column 1: '' is not a finite number (a missing value? use --missing mask to read it as one)" \
  "$somtile" train holes.csv --label-column label -o never.som
bad holes_predict 1 "holes.csv:2 column 1: .*train the model with --missing mask" "$somtile" predict model.som holes.csv --label-column label
ok train_mask "$somtile" train holes.csv --label-column label --rows 5 --cols 6 --missing mask -o mask.som
grep -q "4 missing cells masked" train_mask.out || fail "train --missing mask: $(cat train_mask.out)"
ok info_mask "$somtile" info mask.som
grep -q "^missing *mask" info_mask.out || fail "info does not show missing: $(cat info_mask.out)"
ok predict_mask "$somtile" predict mask.som holes.csv --label-column label -o mask_bmu.csv
expect_lines mask_bmu.csv 151
ok impute "$somtile" impute mask.som holes.csv --label-column label -o filled.csv
expect_lines filled.csv 151
head -1 filled.csv | grep -qx "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm" ||
  fail "impute header: $(head -1 filled.csv)"
grep -q "filled 4 missing cells in 3 of 150 samples" impute.out || fail "impute summary: $(cat impute.out)"
# every cell is a number, and the complete rows are the input's
awk -F, 'NR > 1 { for (j = 1; j <= 4; ++j) if ($j !~ /^-?[0-9.e+-]+$/) bad = 1 } END { exit bad }' filled.csv ||
  fail "impute left a non-number: $(head -8 filled.csv)"
[ "$(sed -n 3p filled.csv)" = "$(sed -n 3p holes.csv | cut -d, -f1-4)" ] || fail "impute changed a complete row"
ok impute_plain "$somtile" impute model.som holes.csv --label-column label -o filled_plain.csv
printf 'a,b,c,d\n1,2,3,4\n,,,\n' >all_missing.csv
bad impute_all_missing 1 "impute(): sample 2 has no present feature" "$somtile" impute mask.som all_missing.csv
# NaN in a .npy file: the library's check, in the program's terms (1-based sample and feature, the option)
{ printf '\x93NUMPY\x01\x00\x76\x00'; printf '%-117s\n' "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }"
  printf '\x00\x00\x00\x00\x00\x00\xf0\x3f\x00\x00\x00\x00\x00\x00\xf8\x7f\x00\x00\x00\x00\x00\x00\x08\x40\x00\x00\x00\x00\x00\x00\x10\x40'
} >nan.npy  # [[1, nan], [3, 4]]
bad npy_nan 1 "Som::fit(): X must be finite, but sample 1, feature 2 is nan; if NaN marks missing values, use --missing mask$" \
  "$somtile" train nan.npy --rows 2 --cols 2 -o never.som
ok npy_nan_mask "$somtile" train nan.npy --rows 2 --cols 2 --missing mask -o nan_mask.som
bad missing_value_choice 2 "not one of reject, mask" "$somtile" train "$iris" --missing drop -o never.som
# the growing maps: grow --missing mask, predict and impute with them; impute with a plain SomVQ
ok grow_mask "$somtile" grow holes.csv --label-column label --classifier --max-neurons 12 --lambda 20 \
  --missing mask -o mask_clf.som
ok predict_grown_mask "$somtile" predict mask_clf.som holes.csv --label-column label -o mask_clf.csv
expect_lines mask_clf.csv 151
ok impute_grown "$somtile" impute mask_clf.som holes.csv --label-column label -o filled_grown.csv
grep -q "filled 4 missing cells in 3 of 150 samples" impute_grown.out || fail "impute (SomClassifier): $(cat impute_grown.out)"
[ "$(sed -n 3p filled_grown.csv)" = "$(sed -n 3p holes.csv | cut -d, -f1-4)" ] || fail "impute (SomClassifier) changed a complete row"
ok impute_vq "$somtile" impute vq.som holes.csv --label-column label -o filled_vq.csv
expect_lines filled_vq.csv 151
bad grow_holes_rejected 1 "holes.csv:2 column 1" "$somtile" grow holes.csv --label-column label -o never.som
cut -d, -f1,2 holes.csv >holes2.csv  # 2 features, two rows with a hole: drawn without those rows
ok grow_mask2 "$somtile" grow holes2.csv --max-neurons 30 --lambda 20 --missing mask -o mask_vq2.som
ok plot_grown_mask "$somtile" plot mask_vq2.som holes2.csv --out-dir grown_mask
[ "$(grep -c '<circle' grown_mask/network_data.svg)" -ge 148 ] || fail "plot of a mask-grown map lost samples"
# ---- sparse input: iris as svmlight (1-based index:value, zeros left out), scipy's .npz ----
awk -F, 'NR > 1 { printf "%s", $5; for (j = 1; j <= 4; ++j) if ($j != 0) printf " %d:%s", j, $j; print "" }' \
  "$iris" >iris.svm
ok train_sparse "$somtile" train iris.svm --rows 5 --cols 6 --training batch --epochs 5 --seed 3 -o sparse.som
grep -q "trained a 5 x 6 rectangular map on 150 samples x 4 features, 5 batch epochs" train_sparse.out ||
  fail "train on svmlight: $(cat train_sparse.out)"
ok predict_sparse "$somtile" predict sparse.som iris.svm -o bmu_sparse.csv
grep -q "read 'iris.svm' as 1-based (no index is 0; give --index-base 0 if it counts from 0)" train_sparse.out ||
  fail "train on svmlight does not say how it read the indices: $(cat train_sparse.out)"
grep -q "150 samples on .* purity 0\.[89]" predict_sparse.out ||
  fail "predict on svmlight (labels from the file): $(cat predict_sparse.out)"
ok predict_sparse_dense "$somtile" predict sparse.som "$iris" --label-column label -o bmu_sparse_dense.csv
cmp -s bmu_sparse.csv bmu_sparse_dense.csv || fail "predict: the svmlight and CSV forms of iris map differently"
ok train_sparse_pca "$somtile" train iris.svm --rows 5 --cols 6 --training batch --init pca -o sparse_pca.som
ok train_sparse_float "$somtile" train iris.svm --rows 5 --cols 6 --training batch --dtype float -o sparse_f.som
ok predict_sparse_float "$somtile" predict sparse_f.som iris.svm -o bmu_sparse_f.csv
expect_lines bmu_sparse_f.csv 151
ok train_npz "$somtile" train "$fixtures/sparse_formula_deflate.npz" --rows 3 --cols 3 --training batch -o npz.som
grep -q "on 40 samples x 30 features" train_npz.out || fail "train on .npz: $(cat train_npz.out)"
ok predict_npz "$somtile" predict npz.som "$fixtures/sparse_formula_stored.npz" -o bmu_npz.csv
expect_lines bmu_npz.csv 41
printf '1 1:0.5\n2 2:x\n' >bad.svm
bad sparse_token 1 "bad.svm:2: '2:x' has a value that is not a finite number" "$somtile" train bad.svm --rows 2 --cols 2 -o never.som
bad sparse_width 1 "n_features is 3, but" "$somtile" predict sparse.som iris.svm --n-features 3
bad sparse_vq 1 "a SomVQ takes dense data" "$somtile" predict vq.som iris.svm
bad sparse_grow 1 "only train and predict" "$somtile" grow iris.svm -o never.som
bad sparse_csc 1 "format 'csc'; only CSR is read" "$somtile" train "$fixtures/sparse_csc.npz" --rows 2 --cols 2 -o never.som
bad sparse_no_size 2 "sparse input needs --rows and --cols" "$somtile" train iris.svm -o never.som
bad sparse_label_column 2 "sparse inputs carry their labels" "$somtile" train iris.svm --rows 2 --cols 2 --label-column 0 -o never.som
bad sparse_index_base 2 "not one of 0, 1, auto" "$somtile" train iris.svm --rows 2 --cols 2 --index-base two -o never.som
# The index base of the training file is kept in the model: a 0-based file that never uses
# feature 0 is read as 0-based by predict (auto-detection would read it as 1-based).
awk -F, 'NR > 1 { printf "%s", $5; for (j = 1; j <= 4; ++j) if ($j != 0) printf " %d:%s", j - 1, $j; print "" }' \
  "$iris" >iris0.svm
ok train_sparse0 "$somtile" train iris0.svm --rows 5 --cols 6 --training batch --epochs 5 --seed 3 -o sparse0.som
grep -q "read 'iris0.svm' as 0-based (it has index 0)" train_sparse0.out || fail "train 0-based: $(cat train_sparse0.out)"
ok info_sparse0 "$somtile" info sparse0.som
grep -q "^svmlight input *0-based indices, 4 features$" info_sparse0.out || fail "info of an svmlight model: $(cat info_sparse0.out)"
sed 's/ 0:[^ ]*//' iris0.svm >no_zero.svm  # feature 0 left out (zero) on every line
awk -F, 'NR == 1 { print; next } { $1 = 0; print }' OFS=, "$iris" >no_zero.csv
ok predict_sparse0 "$somtile" predict sparse0.som no_zero.svm -o bmu_no_zero.csv
grep -q "indices read as 0-based as the model's training file (--index-base overrides)" predict_sparse0.out ||
  fail "predict does not use the stored base: $(cat predict_sparse0.out)"
ok predict_sparse0_dense "$somtile" predict sparse0.som no_zero.csv --label-column label -o bmu_no_zero_dense.csv
cmp -s bmu_no_zero.csv bmu_no_zero_dense.csv || fail "predict: the stored base maps the svmlight file unlike its CSV form"
ok predict_sparse0_explicit "$somtile" predict sparse0.som no_zero.svm --index-base 0 -o bmu_no_zero0.csv
cmp -s bmu_no_zero.csv bmu_no_zero0.csv || fail "predict: --index-base 0 differs from the stored base"
ok predict_sparse0_auto "$somtile" predict sparse0.som no_zero.svm --index-base auto -o bmu_no_zero_auto.csv
cmp -s bmu_no_zero.csv bmu_no_zero_auto.csv && fail "predict --index-base auto: the explicit base did not win"
printf '0 0:1 7:2\n' >beyond.svm
bad sparse_beyond 1 "'beyond.svm' has feature indices beyond the model's 4 features .*index 7.*--index-base" \
  "$somtile" predict sparse0.som beyond.svm
# a model file written before the notes existed: predict detects the base, as before
printf '1 1:0.5 2:0.5 3:1\n' >three.svm
ok predict_v1_svm "$somtile" predict "$fixtures/som_v1.somtile" three.svm -o bmu_v1.csv
ok predict_v1_svm1 "$somtile" predict "$fixtures/som_v1.somtile" three.svm --index-base 1 -o bmu_v1_one.csv
cmp -s bmu_v1.csv bmu_v1_one.csv || fail "predict with a version 1 model: the base is not detected as before"
[ ! -e never.som ] || fail "a failed sparse command left an output file"

# ---- bad input: exit 1 ----
printf 'a,b\n1,2\n1e300,4\n' >huge.csv
printf 'a,b,c\n1,2,3\n4,5\n' >ragged.csv
bad missing_file 1 "cannot open" "$somtile" train no_such_file.csv -o never.som
bad ragged_csv 1 "fields, expected 3" "$somtile" train ragged.csv -o never.som
# a headerless file whose first row has a typo: the typo is reported, the row is not a header
printf '1,2o,3,0\n4,5,6,1\n7,8,9,0\n' >typo.csv
bad csv_typo 1 "typo.csv:1 column 2: '2o' is not a finite number (the line is read as data, as some of its fields are numbers; use --header yes if it is a header)" \
  "$somtile" train typo.csv --label-column 3 --rows 2 --cols 2 -o never.som
printf 'a,b,3,d\n1,2,3,0\n4,5,6,1\n' >numeric_name.csv
bad csv_label_ambiguous 1 "label column '3' is ambiguous: .* give the column's name ('d' for index 3) or the index 2 of the column named '3' (or use --header no if line 1 is data)" \
  "$somtile" train numeric_name.csv --header yes --label-column 3 --rows 2 --cols 2 -o never.som
bad csv_label_unknown 1 "label column 'species' is neither a column name nor an index in \[-1, 5); the columns of .*iris.csv:1 are 'sepal_length_cm', 'sepal_width_cm', 'petal_length_cm', 'petal_width_cm', 'label'" \
  "$somtile" train "$iris" --label-column species -o never.som
bad csv_header_no 1 "iris.csv:1 column 1: 'sepal_length_cm' is not a finite number" "$somtile" train "$iris" --header no -o never.som
bad csv_header_value 2 "option --header: 'maybe' is not one of auto, yes, no" "$somtile" train "$iris" --header maybe -o never.som
tail -n +2 "$iris" >iris_no_header.csv
ok csv_header_yes "$somtile" predict model.som iris_no_header.csv --header yes --label-column 4 -o bmu_header_yes.csv
grep -q "^149 samples" csv_header_yes.out || fail "--header yes did not take the first line as a header: $(cat csv_header_yes.out)"
ok csv_header_auto "$somtile" predict model.som iris_no_header.csv --label-column 4 -o bmu_header_auto.csv
cmp -s bmu_header_auto.csv bmu.csv || fail "a headerless file does not map as the file with its header"
bad not_a_model 1 "bad magic" "$somtile" predict "$iris" "$iris"
bad feature_count 1 "label column" "$somtile" predict model.som "$iris"
bad wrong_kind 1 "cluster needs a Som model, but 'vq.som' holds a SomVQ" "$somtile" cluster vq.som
bad wrong_kind_export 1 "holds a SomClassifier" "$somtile" export clf.som -o never.cod
bad float_range 1 "beyond float's range" "$somtile" train huge.csv --dtype float -o never.som
[ ! -e never.som ] && [ ! -e never.som.tmp ] && [ ! -e never.cod ] || fail "a failed command left an output file"

# ---- usage errors: exit 2 ----
bad no_command 2 "no command" "$somtile"
bad unknown_command 2 "unknown command 'tarin'" "$somtile" tarin
bad unknown_option 2 "unknown option '--bogus'" "$somtile" train "$iris" --bogus -o never.som
bad missing_value 2 "needs a value" "$somtile" train "$iris" -o
bad not_a_number 2 "not an integer" "$somtile" train "$iris" --rows ten -o never.som
bad bad_choice 2 "not one of rectangular, hexagonal" "$somtile" train "$iris" --topology round -o never.som
bad no_output 2 "--output is required" "$somtile" train "$iris"
bad bad_auto_k 2 "not one of elbow, silhouette" "$somtile" cluster model.som --auto-k knee
bad bad_selection 2 "not one of eom, leaf" "$somtile" cluster model.som --method hdbscan --cluster-selection best
bad purpose_with_size 2 "option --purpose sizes the map from the data; give it without --rows and --cols" \
  "$somtile" train "$iris" --purpose classify --rows 5 --cols 5 -o never.som
bad bad_purpose 2 "not one of display, classify" "$somtile" train "$iris" --purpose print -o never.som
bad bad_dtype 2 "not one of float, double" "$somtile" train "$iris" --dtype half -o never.som
bad classifier_no_labels 2 "needs --label-column" "$somtile" grow "$iris" --classifier -o never.som
bad missing_argument 2 "missing argument DATA" "$somtile" predict model.som
# ---- --memory: predict and train stream DATA larger than the budget, with the in-memory output ----
# streams NAME PATTERN CMD...: must exit 0 with the streaming notice on stderr (and nothing else
# there but the summary when the CSV goes to stdout).
streams() {
  local name=$1; shift
  "$@" >"$name.out" 2>"$name.err"
  local rc=$?
  [ $rc -eq 0 ] || fail "$name: exit $rc: $(cat "$name.err")"
  grep -q "^predict: '.*' takes about .*, more than --memory .*: streaming it in chunks of up to [0-9]* rows$" \
    "$name.err" || fail "$name: no streaming notice: $(cat "$name.err")"
}
streams predict_stream "$somtile" predict model.som "$iris" --label-column label --memory 2K -o bmu_stream.csv
cmp -s bmu_stream.csv bmu.csv || fail "predict --memory: the streamed BMUs differ from the in-memory ones"
cmp -s predict_stream.out predict.out || fail "predict --memory: summary $(cat predict_stream.out) vs $(cat predict.out)"
[ ! -e bmu_stream.csv.part ] || fail "predict --memory left its .part file"
streams predict_stream_stdout "$somtile" predict model.som "$iris" --label-column label --memory 1
cmp -s predict_stream_stdout.out bmu.csv || fail "predict --memory to stdout differs from predict -o"
grep -qx "150 samples on .*" predict_stream_stdout.err || fail "predict --memory to stdout: no summary on stderr"
streams predict_stream_clusters "$somtile" predict model.som "$iris" --label-column label --clusters 3 --memory 1K \
  -o bmu_stream_clusters.csv
cmp -s bmu_stream_clusters.csv bmu_clusters.csv || fail "predict --memory --clusters differs from predict --clusters"
cmp -s predict_stream_clusters.out predict_clusters.out || fail "predict --memory --clusters summary differs"
streams predict_stream_sparse "$somtile" predict sparse.som iris.svm --memory 1K -o bmu_stream_sparse.csv
cmp -s bmu_stream_sparse.csv bmu_sparse.csv || fail "predict --memory on svmlight differs from the in-memory predict"
cmp -s predict_stream_sparse.out predict_sparse.out || fail "predict --memory on svmlight: summary differs"
streams predict_stream_npz "$somtile" predict npz.som "$fixtures/sparse_formula_stored.npz" --memory 100 -o bmu_stream_npz.csv
cmp -s bmu_stream_npz.csv bmu_npz.csv || fail "predict --memory on .npz differs from the in-memory predict"
ok predict_nan_mask "$somtile" predict nan_mask.som nan.npy -o bmu_nan.csv
streams predict_stream_npy "$somtile" predict nan_mask.som nan.npy --memory 16 -o bmu_stream_nan.csv
cmp -s bmu_stream_nan.csv bmu_nan.csv || fail "predict --memory on .npy (a NaN cell, --missing mask) differs"
ok predict_memory_fits "$somtile" predict model.som "$iris" --label-column label --memory 1G -o bmu_fits.csv
cmp -s bmu_fits.csv bmu.csv || fail "predict --memory with room to spare differs"
ok train_memory_fits "$somtile" train "$iris" --label-column label --rows 3 --cols 3 --memory 2M -o memory.som
# train streams DATA larger than the budget: the model and history of training in memory
ok train_batch "$somtile" train "$iris" --label-column label --rows 4 --cols 3 --training batch --init pca \
  --epochs 6 --scale standard -o batch.som --history batch_history.csv
"$somtile" train "$iris" --label-column label --rows 4 --cols 3 --training batch --init pca --epochs 6 \
  --scale standard --memory 1K -o stream.som --history stream_history.csv >train_stream.out 2>train_stream.err ||
  fail "train --memory: exit $?: $(cat train_stream.err)"
grep -q "^train: '.*' takes about .*, more than --memory 1K: streaming it in chunks of up to [0-9]* rows, one pass per epoch$" \
  train_stream.err || fail "train --memory: no streaming notice: $(cat train_stream.err)"
cmp -s stream.som batch.som || fail "train --memory: the streamed model differs from the in-memory one"
cmp -s stream_history.csv batch_history.csv || fail "train --memory: the streamed history differs"
bad train_memory_size 2 "sizing the map from the data needs it whole: give --rows and --cols" \
  "$somtile" train "$iris" --label-column label --memory 1K -o never.som
bad train_memory_minibatch 2 "streamed training is batch training; give --training batch" \
  "$somtile" train "$iris" --label-column label --rows 3 --cols 3 --training minibatch --memory 1K -o never.som
bad predict_memory_vq 2 "only predict with a Som streams its data; a SomVQ reads DATA whole" \
  "$somtile" predict vq.som "$iris" --label-column label --memory 1K -o never.csv
for size in abc 0 -5 12X 1.5Q; do
  bad "memory_value_$size" 2 "option --memory: '$size' .*give a size such as 512M or 2G" \
    "$somtile" predict model.som "$iris" --label-column label --memory "$size" -o never.csv
done
# a bad row late in the file: the error, and neither the output nor its .part file
{ cat "$iris"; echo "1,2,x,4,0"; } >late_bad.csv
"$somtile" predict model.som late_bad.csv --label-column label --memory 1K -o never.csv >late_bad.out 2>late_bad.err &&
  fail "predict --memory on a bad row: exit 0"
grep -q "^somtile: error: .*late_bad.csv:152" late_bad.err || fail "predict --memory on a bad row: $(cat late_bad.err)"
[ ! -e never.csv ] && [ ! -e never.csv.part ] || fail "a failed streaming predict left never.csv or its .part file"
# option values the library rejects (ParameterError) are bad command lines too
bad negative_rows 2 "Som(): rows must be > 0, got -3 (see somtile train --help)" "$somtile" train "$iris" --rows -3 -o never.som
bad entropy_vq 2 "entropy" "$somtile" grow "$iris" --label-column label --growth-criterion entropy -o never.som
[ ! -e never.som ] || fail "a usage error left an output file"

if [ $failures -ne 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "all somtile CLI checks passed"
