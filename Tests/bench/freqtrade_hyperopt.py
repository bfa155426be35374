"""freqtrade's hyperopt on the bench's candles and space, for `make bench` (ModelsBench).

An sma_cross strategy (fast 5-24, slow 50-240 by 10: the 400 sets ours searches), the candles
written as freqtrade's feather data, the markets read from our simulator (freqtrade loads the
exchange's markets before it backtests; this machine has no other exchange). Prints JSON: the
seconds of the whole run and per epoch, or the error.
"""
import argparse, json, os, subprocess, sys, time

STRATEGY = '''
from freqtrade.strategy import IStrategy, IntParameter, CategoricalParameter
from pandas import DataFrame

class BenchSmaCross(IStrategy):
    INTERFACE_VERSION = 3
    timeframe = "1m"
    minimal_roi = {"0": 100}
    stoploss = -0.99
    use_exit_signal = True
    startup_candle_count = 240
    fast = IntParameter(5, 24, default=10, space="buy")
    slow = CategoricalParameter(list(range(50, 241, 10)), default=50, space="buy")

    def populate_indicators(self, df: DataFrame, metadata: dict) -> DataFrame:
        for n in sorted(set(range(5, 25)) | set(range(50, 241, 10))):
            df[f"sma{n}"] = df["close"].rolling(n).mean()
        return df

    def populate_entry_trend(self, df: DataFrame, metadata: dict) -> DataFrame:
        f, s = df[f"sma{self.fast.value}"], df[f"sma{self.slow.value}"]
        df.loc[(f > s) & (f.shift(1) <= s.shift(1)), "enter_long"] = 1
        return df

    def populate_exit_trend(self, df: DataFrame, metadata: dict) -> DataFrame:
        f, s = df[f"sma{self.fast.value}"], df[f"sma{self.slow.value}"]
        df.loc[(f < s) & (f.shift(1) >= s.shift(1)), "exit_long"] = 1
        return df
'''


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--candles", required=True)
    parser.add_argument("--exchange", required=True, help="our simulator's base URL")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--timeout", type=int, default=1200)
    args = parser.parse_args()
    try:
        import pandas as pd
    except ImportError as error:
        print(json.dumps({"freqtrade_error": f"pandas: {error}"}))
        return
    freqtrade = os.path.join(os.path.dirname(sys.executable), "freqtrade")
    if not os.path.exists(freqtrade):
        print(json.dumps({"freqtrade_error": "freqtrade is not installed in the bench environment"}))
        return
    ud = os.path.join(args.workdir, "ud")
    os.makedirs(os.path.join(ud, "data", "binance"), exist_ok=True)
    os.makedirs(os.path.join(ud, "strategies"), exist_ok=True)
    with open(os.path.join(ud, "strategies", "bench_sma_cross.py"), "w") as f:
        f.write(STRATEGY)
    frame = pd.read_csv(args.candles, header=None, usecols=[0, 1, 2, 3, 4, 5], names=["date", "open", "high", "low", "close", "volume"])
    frame["date"] = pd.to_datetime(frame["date"], unit="ms", utc=True)
    frame.to_feather(os.path.join(ud, "data", "binance", "BTC_USDT-1m.feather"))
    base = args.exchange
    urls = {"public": base + "/api/v3", "private": base + "/api/v3", "v1": base + "/api/v1", "v3": base + "/api/v3", "sapi": base + "/sapi/v1"}
    ccxt = {"urls": {"api": urls}, "options": {"fetchMarkets": ["spot"], "defaultType": "spot"}}
    config = {
        "stake_currency": "USDT", "stake_amount": "unlimited", "dry_run": True, "dry_run_wallet": 10000, "timeframe": "1m", "max_open_trades": 1,
        "exchange": {"name": "binance", "pair_whitelist": ["BTC/USDT"], "ccxt_config": ccxt, "ccxt_async_config": ccxt},
        "pairlists": [{"method": "StaticPairList"}], "entry_pricing": {"price_side": "same"}, "exit_pricing": {"price_side": "same"},
        "dataformat_ohlcv": "feather", "user_data_dir": ud,
    }
    with open(os.path.join(args.workdir, "config.json"), "w") as f:
        json.dump(config, f)
    command = [
        freqtrade, "hyperopt", "-c", os.path.join(args.workdir, "config.json"), "--userdir", ud, "--strategy", "BenchSmaCross",
        "--hyperopt-loss", "SharpeHyperOptLoss", "--spaces", "buy", "--epochs", str(args.epochs), "-j", str(args.jobs), "--disable-param-export",
        "--random-state", "7",
    ]
    # freqtrade writes each epoch to its results file as it ends; on this machine it then stays up
    # after the last one over a million candles (idle, in poll), so the run is timed to the last
    # epoch's line and then stopped.
    results = os.path.join(ud, "hyperopt_results")
    log = open(os.path.join(args.workdir, "hyperopt.log"), "w")
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=args.workdir, stdout=log, stderr=subprocess.STDOUT)
    finished = None
    while time.monotonic() - started < args.timeout:
        epochs = 0
        if os.path.isdir(results):
            for name in os.listdir(results):
                if name.endswith(".fthypt"):
                    with open(os.path.join(results, name)) as f:
                        epochs = max(epochs, sum(1 for _ in f))
        if epochs >= args.epochs:
            finished = time.monotonic() - started
            break
        if process.poll() is not None:
            break
        time.sleep(0.2)
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    log.close()
    if finished is None:
        with open(os.path.join(args.workdir, "hyperopt.log")) as f:
            tail = f.read()[-400:]
        print(json.dumps({"freqtrade_error": f"no {args.epochs} epochs within {args.timeout} s: {tail}"}))
        return
    print(json.dumps({"freqtrade_hyperopt_seconds": finished, "freqtrade_epochs": args.epochs, "freqtrade_seconds_per_epoch": finished / args.epochs}))


main()
