"""Makes the model test data once, with numpy and scikit-learn (not needed to run the tests):
  linear_train.csv / linear_test.csv: y = X·b + 3 + noise; linear_ols.txt and linear_ridge.txt:
    numpy's least squares with an unpenalised intercept (ridge 0 and ridge 2.5);
  rf_train.csv / rf_test.csv: make_classification; rf_reference.json: scikit-learn's
    RandomForestClassifier accuracy with the same parameters.
Run: python make_reference.py (numpy, scikit-learn).
"""
import json

import numpy as np
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier


def write(path, x, y, names):
    with open(path, "w") as f:
        f.write(",".join(names) + "\n")
        for row, target in zip(x, y):
            f.write(",".join(repr(float(v)) for v in row) + "," + repr(float(target)) + "\n")


rng = np.random.default_rng(11)
x = rng.normal(size=(400, 6)) * np.array([1, 5, 0.1, 2, 10, 1]) + np.array([0, 3, -1, 10, 0, 2])
b = np.array([1.5, -0.3, 12.0, 0.75, 0.02, -2.0])
y = x @ b + 3 + rng.normal(scale=0.5, size=400)
names = [f"f{i}" for i in range(6)] + ["target"]
write("linear_train.csv", x[:300], y[:300], names)
write("linear_test.csv", x[300:], y[300:], names)


def fit(xt, yt, ridge):
    xm, ym = xt.mean(axis=0), yt.mean()
    xc, yc = xt - xm, yt - ym
    if ridge > 0:
        xc = np.vstack([xc, np.sqrt(ridge) * np.eye(xt.shape[1])])
        yc = np.concatenate([yc, np.zeros(xt.shape[1])])
    beta = np.linalg.lstsq(xc, yc, rcond=None)[0]
    return beta, ym - xm @ beta


for ridge, name in [(0.0, "linear_ols.txt"), (2.5, "linear_ridge.txt")]:
    beta, intercept = fit(x[:300], y[:300], ridge)
    with open(name, "w") as f:
        for row in x[300:]:
            f.write(repr(float(row @ beta + intercept)) + "\n")

xc, yc = make_classification(n_samples=3000, n_features=10, n_informative=5, n_redundant=2, flip_y=0.05, class_sep=0.8, random_state=3)
write("rf_train.csv", xc[:2000], yc[:2000], [f"f{i}" for i in range(10)] + ["label"])
write("rf_test.csv", xc[2000:], yc[2000:], [f"f{i}" for i in range(10)] + ["label"])
params = {"n_estimators": 50, "max_depth": 6, "min_samples_leaf": 1}
model = RandomForestClassifier(**params, max_features="sqrt", random_state=0).fit(xc[:2000], yc[:2000])
accuracy = float((model.predict(xc[2000:]) == yc[2000:]).mean())
with open("rf_reference.json", "w") as f:
    json.dump({"params": params, "max_features": "sqrt", "sklearn_accuracy": accuracy}, f, indent=1)
print("sklearn accuracy", accuracy)
