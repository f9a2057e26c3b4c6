"""Writes the fixtures of tests/test_sparse_io.cpp and prints scikit-learn's / scipy's reading
of them, pasted into the test. Run with Debian's /usr/bin/python3 (python3-sklearn 1.2.1,
python3-scipy 1.10.1, numpy 1.24.2) from the repository root:

    /usr/bin/python3 tests/reference/make_sparse_io_fixtures.py

The "formula" matrix F (40 x 30): F[i, j] = ((31 i + 17 j) % 97) / 8 - 6 where (7 i + 13 j) % 5
== 0, else 0; its stored values are exact binary fractions, so every writer and reader must
give them back bit for bit. The test recomputes F itself.
"""
import io
import numpy as np
import scipy.sparse as sp
from sklearn.datasets import dump_svmlight_file, load_svmlight_file

FIX = "tests/fixtures/"

def formula(rows=40, cols=30):
    F = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            if (7 * i + 13 * j) % 5 == 0:
                F[i, j] = ((31 * i + 17 * j) % 97) / 8 - 6
    return F

F = formula()
X = sp.csr_matrix(F)
X.eliminate_zeros()  # F's zero values at stored places are not stored: (x % 97)/8 - 6 == 0 at 48
y = np.arange(40) % 3

# svmlight written by scikit-learn (0-based by default) and 1-based, with a comment line.
dump_svmlight_file(X, y, FIX + "sparse_formula_sklearn.svm", zero_based=True)
dump_svmlight_file(X, y, FIX + "sparse_formula_sklearn_1based.svm", zero_based=False,
                   comment="written by scikit-learn's dump_svmlight_file")

# scipy's save_npz: compressed (default, deflate), stored, and float32 / int64 indptr variants.
sp.save_npz(FIX + "sparse_formula_deflate.npz", X)
sp.save_npz(FIX + "sparse_formula_stored.npz", X, compressed=False)
X32 = sp.csr_matrix((X.data.astype(np.float32), X.indices.astype(np.int64), X.indptr.astype(np.int64)),
                    shape=X.shape)
sp.save_npz(FIX + "sparse_formula_f4_i8.npz", X32)
# Unsorted indices within rows (scipy keeps them as given; has_sorted_indices is False).
U = sp.csr_matrix((np.array([1.5, -2.0, 3.0, 4.25]), np.array([3, 0, 2, 1]), np.array([0, 2, 2, 4])),
                  shape=(3, 5))
sp.save_npz(FIX + "sparse_unsorted.npz", U, compressed=False)
sp.save_npz(FIX + "sparse_csc.npz", X.tocsc()[:3, :4])

# A hand-written svmlight file: comments, qid, blank lines, tabs, '\r', labels +1 / -1,
# 1-based indices (no index 0), explicit zero.
hand = (b"# a comment line\n"
        b"+1 qid:3 1:0.5 3:-2 7:1e-3 # trailing comment\n"
        b"\n"
        b"-1\t2:4\t3:0   \r\n"
        b"2 \n"
        b"-1 7:2.5e2\n")
open(FIX + "sparse_hand.svm", "wb").write(hand)

def show(name, M, y=None):
    M = sp.csr_matrix(M)
    print(name, "shape", M.shape, "nnz", M.nnz)
    print("  indptr ", M.indptr.tolist())
    print("  indices", M.indices.tolist())
    print("  data   ", [repr(float(v)) for v in M.data])
    if y is not None:
        print("  y      ", [repr(float(v)) for v in y])

Xh, yh = load_svmlight_file(FIX + "sparse_hand.svm")  # zero_based="auto"
show("sklearn load_svmlight_file(sparse_hand.svm)", Xh, yh)
Xh0, _ = load_svmlight_file(FIX + "sparse_hand.svm", zero_based=True)
show("  zero_based=True", Xh0)
Xn, _ = load_svmlight_file(FIX + "sparse_hand.svm", n_features=10)
print("  n_features=10 shape", Xn.shape)
for f in ["sparse_formula_sklearn.svm", "sparse_formula_sklearn_1based.svm"]:
    Xs, ys = load_svmlight_file(FIX + f)
    print(f, "equals F:", np.array_equal(Xs.toarray(), F), "y equal:", np.array_equal(ys, y), "nnz", Xs.nnz)
for f in ["sparse_formula_deflate.npz", "sparse_formula_stored.npz", "sparse_formula_f4_i8.npz"]:
    Xs = sp.load_npz(FIX + f)
    print(f, "equals F:", np.array_equal(Xs.toarray(), F), "nnz", Xs.nnz, Xs.dtype, Xs.indptr.dtype)
print("F nnz", X.nnz, "sum", repr(float(X.sum())))
Uu = sp.load_npz(FIX + "sparse_unsorted.npz")
print("unsorted dense", Uu.toarray().tolist())

# Raw DEFLATE streams (zlib, wbits = -15) for the inflate unit test: a stored block (level 0),
# a fixed-Huffman block (short text), a dynamic-Huffman block with long back-references.
import zlib
def raw(data, level):
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()
texts = [(b"stored block, level 0", 0), (b"abcabcabcabc hello hello", 9),
         (b"".join(b"%d:%d " % (i, (i * 37) % 101) for i in range(300)), 9)]
for t, level in texts:
    z = raw(t, level)
    print("deflate level", level, "len", len(t), "crc32", hex(zlib.crc32(t)), "hex", z.hex())
