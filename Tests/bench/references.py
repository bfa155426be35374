"""The reference figures `make bench` prints beside ours, measured in the same run on the same
machine: backtesting.py and numpy on 1,000,000 one-minute candles of sma_cross, scikit-learn's
random forest on 50,000 × 10 with 100 trees of depth 8. Prints one JSON object.

`--only numpy,backtesting,sklearn` measures some of them: the bench calls this between its own
timings (interleaved), so that the machine's drift falls on both sides alike.
"""
import json
import sys
import time
import warnings

import numpy as np

warnings.filterwarnings("ignore")
ONLY = set(sys.argv[sys.argv.index("--only") + 1].split(",")) if "--only" in sys.argv else {"numpy", "backtesting", "sklearn"}
N = 1_000_000
rng = np.random.default_rng(7)
close = 30000 * np.exp(np.cumsum(rng.normal(0, 0.002, N)))
open_ = np.concatenate([[30000.0], close[:-1]])
result = {}

# numpy, vectorised: SMA cross signals and the all-in long-only equity.
def numpy_sma_cross(fast=10, slow=30, fee=0.001):
    c = np.cumsum(np.insert(close, 0, 0))
    f = (c[fast:] - c[:-fast]) / fast
    s = (c[slow:] - c[:-slow]) / slow
    f = f[slow - fast:]
    above = f > s
    cross = np.diff(above.astype(np.int8))
    # Positions: long after a cross above until a cross below, filled at the next open.
    state = np.zeros(len(above), dtype=np.int8)
    state[1:][cross == 1] = 1
    state[1:][cross == -1] = -1
    pos = np.maximum.accumulate(np.where(state != 0, np.arange(len(state)), 0))
    held = state[pos] == 1
    o = open_[slow - 1:]
    returns = np.where(held[:-1], o[1:] / o[:-1], 1.0)
    return np.prod(returns)

if "numpy" in ONLY:
    start = time.perf_counter()
    numpy_sma_cross()
    result["numpy_candles_per_second"] = N / (time.perf_counter() - start)

try:
    if "backtesting" not in ONLY:
        raise LookupError("not asked for")
    import pandas as pd
    from backtesting import Backtest, Strategy
    from backtesting.lib import crossover

    n = 100_000  # backtesting.py on a tenth, scaled: it is linear in candles
    frame = pd.DataFrame({"Open": open_[:n], "High": np.maximum(open_, close)[:n] * 1.0005, "Low": np.minimum(open_, close)[:n] * 0.9995,
                          "Close": close[:n], "Volume": np.full(n, 10.0)}, index=pd.date_range("2020-01-01", periods=n, freq="min"))

    class SmaCross(Strategy):
        def init(self):
            sma = lambda x, k: pd.Series(x).rolling(k).mean().values
            self.fast = self.I(sma, self.data.Close, 10)
            self.slow = self.I(sma, self.data.Close, 30)

        def next(self):
            if crossover(self.fast, self.slow):
                self.buy()
            elif crossover(self.slow, self.fast):
                self.position.close()

    start = time.perf_counter()
    Backtest(frame, SmaCross, cash=10_000_000, commission=0.001).run()
    result["backtesting_py_candles_per_second"] = n / (time.perf_counter() - start)
except LookupError:
    pass
except Exception as error:  # not installed: the figure is missing, and says why
    result["backtesting_py_error"] = str(error)[:200]

try:
    if "sklearn" not in ONLY:
        raise LookupError("not asked for")
    from sklearn.ensemble import RandomForestClassifier

    x = rng.uniform(-1, 1, size=(50_000, 10))
    y = (x[:, 0] + 0.5 * x[:, 1] * x[:, 2] - x[:, 3] + rng.uniform(-0.5, 0.5, 50_000) > 0).astype(int)
    start = time.perf_counter()
    RandomForestClassifier(n_estimators=100, max_depth=8, n_jobs=-1, random_state=0).fit(x, y)
    result["sklearn_forest_seconds"] = time.perf_counter() - start
except LookupError:
    pass
except Exception as error:
    result["sklearn_error"] = str(error)[:200]

json.dump(result, sys.stdout)
