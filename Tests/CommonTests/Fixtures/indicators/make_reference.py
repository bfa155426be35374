"""Reference values of the indicators, made once with pandas on the backtest candles
(../backtest/candles.csv). Run: python make_reference.py (numpy, pandas). Writes expected.json.
"""
import json
import math

import pandas as pd

c = pd.read_csv("../backtest/candles.csv", header=None).iloc[:, :7]
c.columns = ["open_time", "open", "high", "low", "close", "volume", "close_time"]
close, high, low, volume = c["close"], c["high"], c["low"], c["volume"]

out = {}
out["sma_20"] = close.rolling(20).mean()
out["ema_12"] = close.ewm(span=12, adjust=False).mean()
delta = close.diff()
gain = delta.clip(lower=0).iloc[1:].ewm(alpha=1 / 14, adjust=False).mean()
loss = (-delta.clip(upper=0)).iloc[1:].ewm(alpha=1 / 14, adjust=False).mean()
rsi = 100 - 100 / (1 + gain / loss)
rsi = rsi.reindex(close.index)
rsi.iloc[:14] = float("nan")
out["rsi_14"] = rsi
ema12, ema26 = close.ewm(span=12, adjust=False).mean(), close.ewm(span=26, adjust=False).mean()
macd = ema12 - ema26
signal = macd.ewm(span=9, adjust=False).mean()
out["macd"], out["macd_signal"], out["macd_histogram"] = macd, signal, macd - signal
mid, sd = close.rolling(20).mean(), close.rolling(20).std(ddof=0)
out["bollinger_lower"], out["bollinger_middle"], out["bollinger_upper"] = mid - 2 * sd, mid, mid + 2 * sd
prev = close.shift(1)
tr = pd.concat([high - low, (high - prev).abs(), (low - prev).abs()], axis=1).max(axis=1)
tr.iloc[0] = high.iloc[0] - low.iloc[0]
atr = tr.ewm(alpha=1 / 14, adjust=False).mean()
atr.iloc[:13] = float("nan")
out["atr_14"] = atr
returns = close.pct_change()
out["returns"] = returns
out["volatility_20"] = returns.rolling(20).std()
out["volume_z_20"] = (volume - volume.rolling(20).mean()) / volume.rolling(20).std()

with open("expected.json", "w") as f:
    json.dump({k: [None if math.isnan(v) else float(v) for v in s] for k, s in out.items()}, f)
