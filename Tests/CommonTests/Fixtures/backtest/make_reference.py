"""Makes the backtest test data once: a kline CSV (a seeded random walk, 3 days of 5-minute
candles) and what CONTRACT §7's sma_cross backtest gives on it, computed independently here in
plain Python. Run: python3 make_reference.py (writes candles.csv, candles_us.csv, expected.json).
"""
import json
import math
import random
from datetime import datetime, timezone

FEE, CASH, FAST, SLOW = 0.001, 10000.0, 5, 13


def candles():
    rng = random.Random(7)
    price, rows = 30000.0, []
    start = 1_700_000_000_000 - 1_700_000_000_000 % 86_400_000
    for i in range(3 * 288):
        o = price
        c = round(o * math.exp(rng.gauss(0, 0.004)), 2)
        h = round(max(o, c) * (1 + abs(rng.gauss(0, 0.001))), 2)
        l = round(min(o, c) * (1 - abs(rng.gauss(0, 0.001))), 2)
        t = start + i * 300_000
        rows.append((t, o, h, l, c, round(rng.uniform(1, 50), 5), t + 299_999))
        price = c
    return rows


def iso(ms):
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def backtest(rows):
    closes = [r[4] for r in rows]
    sma = lambda n, t: sum(closes[t - n + 1:t + 1]) / n
    cash, qty, entry, pending, trades, equity = CASH, 0.0, None, None, [], []
    last = len(rows) - 1
    for t, (ot, o, h, l, c, v, ct) in enumerate(rows):
        if pending == "buy" and qty == 0:
            entry = (ot, o, cash, cash / (o * (1 + FEE)))
            qty, cash = entry[3], 0.0
        elif pending == "sell" and qty > 0:
            cash = qty * o * (1 - FEE)
            trades.append({"entry_time": iso(entry[0]), "exit_time": iso(ot), "entry_price": entry[1], "exit_price": o, "qty": entry[3], "pnl": cash - entry[2]})
            qty, entry = 0.0, None
        pending = None
        if t >= SLOW and t < last:
            if sma(FAST, t) > sma(SLOW, t) and sma(FAST, t - 1) <= sma(SLOW, t - 1):
                pending = "buy"
            elif sma(FAST, t) < sma(SLOW, t) and sma(FAST, t - 1) >= sma(SLOW, t - 1):
                pending = "sell"
        if t == last and qty > 0:
            cash = qty * c * (1 - FEE)
            trades.append({"entry_time": iso(entry[0]), "exit_time": iso(ct), "entry_price": entry[1], "exit_price": c, "qty": entry[3], "pnl": cash - entry[2]})
            qty, entry = 0.0, None
        equity.append(cash + qty * c)
    peak, mdd = CASH, 0.0
    for e in equity:
        peak = max(peak, e)
        mdd = max(mdd, (peak - e) / peak)
    # Daily returns: the last equity of each UTC day, starting from the initial cash.
    days, day = [CASH], rows[0][0] // 86_400_000
    for i, r in enumerate(rows):
        if r[0] // 86_400_000 != day:
            days.append(equity[i - 1])
            day = r[0] // 86_400_000
    days.append(equity[-1])
    rets = [days[i] / days[i - 1] - 1 for i in range(1, len(days))]
    mean = sum(rets) / len(rets)
    sd = math.sqrt(sum((r - mean) ** 2 for r in rets) / (len(rets) - 1))
    down = math.sqrt(sum(min(r, 0) ** 2 for r in rets) / len(rets))
    wins = [t for t in trades if t["pnl"] > 0]
    losses = [t for t in trades if t["pnl"] < 0]
    metrics = {
        "total_return": cash / CASH - 1,
        "buy_and_hold_return": rows[-1][4] * (1 - FEE) / (rows[0][1] * (1 + FEE)) - 1,
        "max_drawdown": mdd,
        "sharpe": mean / sd * math.sqrt(365) if sd > 0 else None,
        "sortino": mean / down * math.sqrt(365) if down > 0 else None,
        "win_rate": len(wins) / len(trades) if trades else None,
        "profit_factor": sum(t["pnl"] for t in wins) / -sum(t["pnl"] for t in losses) if losses else None,
        "trades": len(trades),
    }
    return {"metrics": metrics, "trades": trades, "equity": equity}


if __name__ == "__main__":
    rows = candles()
    with open("candles.csv", "w") as f:
        for r in rows:
            f.write(",".join(str(x) for x in r) + ",0,0,0,0,0\n")
    with open("candles_us.csv", "w") as f:
        f.write("open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore\n")
        for r in rows:
            f.write(",".join(str(x) for x in (r[0] * 1000, *r[1:6], r[6] * 1000 + 999)) + ",0,0,0,0,0\n")
    with open("expected.json", "w") as f:
        json.dump({"fee": FEE, "cash": CASH, "fast": FAST, "slow": SLOW, **backtest(rows)}, f, indent=1)
