"""Unmodified third-party Binance clients against our simulator, with only the base URL
changed (CONTRACT §5): binance-connector, python-binance and ccxt. Prints one JSON object of
check name -> passed. Usage: binance_clients.py BASE_URL"""
import json, sys, urllib.request
base = sys.argv[1]
acc = json.loads(urllib.request.urlopen(urllib.request.Request(base + "/sim/v1/accounts", data=b"{}", method="POST")).read())
key, secret = acc["apiKey"], acc["secretKey"]
results = {}
# binance-connector: every parameter in the query string, JSON content type, empty body
from binance.spot import Spot
spot = Spot(api_key=key, api_secret=secret, base_url=base)
results["connector_time"] = spot.time()["serverTime"] > 0
results["connector_account"] = any(b["asset"] == "USDT" for b in spot.account()["balances"])
o = spot.new_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=0.001)
results["connector_market"] = o["status"] == "FILLED"
o = spot.new_order(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity=0.001, price=20000)
results["connector_limit"] = o["status"] == "NEW"
results["connector_cancel"] = spot.cancel_order(symbol="BTCUSDT", orderId=o["orderId"])["status"] == "CANCELED"
results["connector_klines"] = len(spot.klines("BTCUSDT", "1m", limit=10)) == 10
# python-binance: form bodies for POST/DELETE
from binance.client import Client
client = Client(key, secret, ping=False)
client.API_URL = base + "/api"
results["pybinance_ticker"] = float(client.get_symbol_ticker(symbol="ETHUSDT")["price"]) > 0
o = client.create_order(symbol="ETHUSDT", side="BUY", type="MARKET", quantity="0.01")
results["pybinance_market"] = o["status"] == "FILLED" and len(o["fills"]) >= 1
results["pybinance_trades"] = len(client.get_my_trades(symbol="ETHUSDT")) >= 1
results["pybinance_exchange_info"] = len(client.get_exchange_info()["symbols"]) >= 7
# ccxt: exchangeInfo without symbol, recvWindow 10000, x- client ids, FULL responses
import ccxt
ex = ccxt.binance({"apiKey": key, "secret": secret, "options": {"defaultType": "spot", "fetchMarkets": {"types": ["spot"]}, "fetchMargins": False, "fetchCurrencies": False}})
for k in list(ex.urls["api"].keys()):
    v = ex.urls["api"][k]
    if isinstance(v, str) and "api.binance.com/api/v3" in v:
        ex.urls["api"][k] = base + "/api/v3"
ex.urls["api"]["public"] = base + "/api/v3"
ex.urls["api"]["private"] = base + "/api/v3"
markets = ex.load_markets()
results["ccxt_markets"] = "BTC/USDT" in markets and "ACME/BTC" in markets
results["ccxt_balance"] = ex.fetch_balance()["total"].get("USDT", 0) > 0
order = ex.create_order("XRP/USDT", "market", "buy", 20)
results["ccxt_market"] = order["status"] == "closed"
limit = ex.create_order("XRP/USDT", "limit", "buy", 20, 0.3)
results["ccxt_limit_open"] = ex.fetch_order(limit["id"], "XRP/USDT")["status"] == "open"
ex.cancel_order(limit["id"], "XRP/USDT")
results["ccxt_cancel"] = ex.fetch_order(limit["id"], "XRP/USDT")["status"] == "canceled"
results["ccxt_ohlcv"] = len(ex.fetch_ohlcv("BTC/USDT", "1h", limit=5)) == 5
print(json.dumps(results))
