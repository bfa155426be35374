"""Unmodified third-party Binance clients against our simulator, with only the base URL
changed (CONTRACT §5): binance-connector, python-binance and ccxt. Prints one JSON object of
check name -> passed. Usage: binance_clients.py BASE_URL"""
import json, sys, urllib.request
base = sys.argv[1]
acc = json.loads(urllib.request.urlopen(urllib.request.Request(base + "/sim/v1/accounts", data=b"{}", method="POST")).read())
key, secret = acc["apiKey"], acc["secretKey"]
results = {}
def hold(symbol, price):
    """Holds a market still so that the stops below neither trigger nor drift (admin API)."""
    body = json.dumps({"symbol": symbol, "price": price, "hold": True}).encode()
    urllib.request.urlopen(urllib.request.Request(base + "/sim/v1/prices", data=body, method="POST", headers={"Content-Type": "application/json"})).read()
hold("BTCUSDT", "40000")
hold("ETHUSDT", "2000")
hold("XRPUSDT", "0.5")
# binance-connector: every parameter in the query string, JSON content type, empty body
from binance.spot import Spot
spot = Spot(api_key=key, api_secret=secret, base_url=base)
results["connector_time"] = spot.time()["serverTime"] > 0
results["connector_account"] = any(b["asset"] == "USDT" for b in spot.account()["balances"])
o = spot.new_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=0.001)
results["connector_market"] = o["status"] == "FILLED"
o = spot.new_order(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity=0.001, price=20000)
results["connector_limit"] = o["status"] == "NEW"
results["connector_limit_query"] = spot.get_order("BTCUSDT", orderId=o["orderId"])["status"] == "NEW"
results["connector_cancel"] = spot.cancel_order(symbol="BTCUSDT", orderId=o["orderId"])["status"] == "CANCELED"
o = spot.new_order(symbol="BTCUSDT", side="SELL", type="STOP_LOSS_LIMIT", timeInForce="GTC", quantity=0.001, price=35900, stopPrice=36000)
q = spot.get_order("BTCUSDT", orderId=o["orderId"])
results["connector_stop_limit"] = q["status"] == "NEW" and q["type"] == "STOP_LOSS_LIMIT" and float(q["stopPrice"]) == 36000
results["connector_stop_limit_cancel"] = spot.cancel_order(symbol="BTCUSDT", orderId=o["orderId"])["status"] == "CANCELED"
oco = spot.new_oco_order(symbol="BTCUSDT", side="SELL", quantity=0.001, aboveType="LIMIT_MAKER", belowType="STOP_LOSS_LIMIT",
                         abovePrice=44000, belowStopPrice=36000, belowPrice=35900, belowTimeInForce="GTC")
listed = spot.get_oco_order(orderListId=oco["orderListId"])
results["connector_oco"] = len(oco["orderReports"]) == 2 and listed["listOrderStatus"] == "EXECUTING" and len(listed["orders"]) == 2
gone = spot.cancel_oco_order("BTCUSDT", orderListId=oco["orderListId"])
results["connector_oco_cancel"] = gone["listOrderStatus"] == "ALL_DONE" and all(r["status"] == "CANCELED" for r in gone["orderReports"])
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
o = client.create_order(symbol="ETHUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.01", price="1500")
results["pybinance_limit"] = client.get_order(symbol="ETHUSDT", orderId=o["orderId"])["status"] == "NEW"
results["pybinance_limit_cancel"] = client.cancel_order(symbol="ETHUSDT", orderId=o["orderId"])["status"] == "CANCELED"
o = client.create_order(symbol="ETHUSDT", side="SELL", type="STOP_LOSS_LIMIT", timeInForce="GTC", quantity="0.01", price="1790", stopPrice="1800")
q = client.get_order(symbol="ETHUSDT", orderId=o["orderId"])
results["pybinance_stop_limit"] = q["status"] == "NEW" and q["type"] == "STOP_LOSS_LIMIT" and float(q["stopPrice"]) == 1800
results["pybinance_stop_limit_cancel"] = client.cancel_order(symbol="ETHUSDT", orderId=o["orderId"])["status"] == "CANCELED"
oco = client.create_oco_order(symbol="ETHUSDT", side="SELL", quantity="0.01", aboveType="LIMIT_MAKER", abovePrice="2200",
                              belowType="STOP_LOSS_LIMIT", belowStopPrice="1800", belowPrice="1790", belowTimeInForce="GTC")
legs = [client.get_order(symbol="ETHUSDT", orderId=r["orderId"]) for r in oco["orderReports"]]
results["pybinance_oco"] = [l["orderListId"] for l in legs] == [oco["orderListId"]] * 2 and len(client.get_open_oco_orders()) == 1
# Cancelling one leg cancels the whole list, as on Binance.
client.cancel_order(symbol="ETHUSDT", orderId=legs[0]["orderId"])
results["pybinance_oco_cancel"] = all(client.get_order(symbol="ETHUSDT", orderId=l["orderId"])["status"] == "CANCELED" for l in legs) and client.get_open_oco_orders() == []
oco = client.create_oco_order(symbol="ETHUSDT", side="SELL", quantity="0.01", aboveType="TAKE_PROFIT", aboveStopPrice="2200",
                              belowType="STOP_LOSS", belowStopPrice="1800")
results["pybinance_oco_query"] = client.v3_get_order_list(orderListId=oco["orderListId"])["listOrderStatus"] == "EXECUTING"
gone = client.v3_delete_order_list(symbol="ETHUSDT", orderListId=oco["orderListId"])
results["pybinance_oco_list_cancel"] = gone["listStatusType"] == "ALL_DONE" and all(r["status"] == "CANCELED" for r in gone["orderReports"])
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
stop = ex.create_order("BTC/USDT", "STOP_LOSS_LIMIT", "sell", 0.001, 35900, {"stopPrice": 36000})
results["ccxt_stop_limit_open"] = ex.fetch_order(stop["id"], "BTC/USDT")["status"] == "open"
ex.cancel_order(stop["id"], "BTC/USDT")
results["ccxt_stop_limit_cancel"] = ex.fetch_order(stop["id"], "BTC/USDT")["status"] == "canceled"
# ccxt has no unified spot OCO: its implicit API methods are part of the unmodified client.
oco = ex.private_post_orderlist_oco({"symbol": "BTCUSDT", "side": "SELL", "quantity": "0.001", "aboveType": "LIMIT_MAKER", "abovePrice": "44000",
                                     "belowType": "STOP_LOSS", "belowStopPrice": "36000"})
listed = ex.private_get_orderlist({"orderListId": oco["orderListId"]})
results["ccxt_oco"] = listed["listStatusType"] == "EXEC_STARTED" and len(listed["orders"]) == 2
gone = ex.private_delete_orderlist({"symbol": "BTCUSDT", "orderListId": oco["orderListId"]})
results["ccxt_oco_cancel"] = gone["listStatusType"] == "ALL_DONE" and ex.fetch_open_orders("BTC/USDT") == []
results["ccxt_ohlcv"] = len(ex.fetch_ohlcv("BTC/USDT", "1h", limit=5)) == 5
print(json.dumps(results))
