#!/usr/bin/env python3
"""Builds fuzz/corpus/<target>/ from the repository's real data (standard library only).

    python3 fuzz/seed-corpus.py

spec         specs/*.yaml and generator/tests/bad_specs/*.yaml
page_import  generator/tests/pages/*.txt
response     every documented response/error example in specs/*.yaml, in every mode that
             makes sense for it, plus JSON bodies of each envelope (one mode byte, then the
             body: see fuzz_targets/response.rs)
prepare      parameter examples from the specs (raw bytes: `arbitrary` reads them as input)
doc_json     a sample of catalogue/top-docs (every 10th doc), for the doc-JSON target
token_result token_result texts: every documented field, numbers as strings, the older
             endpoint's answer and its refusal, a whole API answer, garbage
json_pull    values for the pull reader's mirror structs (mode 0: every field type, list
             shapes, misfits, repeated members), and the response seeds as whole responses
tmc_frame    TMC frames built here (connect, ack, refusal, message, confirm, pull, every value
             type), little-endian as fuzz_targets/tmc_frame.rs decodes them
tmc_message  each specs/messages/*.yaml example (one topic byte, then the content: see
             fuzz_targets/tmc_message.rs), loose and misfit variants, an unknown topic

The corpora are not committed (fuzz/.gitignore); libFuzzer adds to them as it runs.
"""
import pathlib
import re
import struct

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"

# Mode byte bits (fuzz_targets/response.rs): 0-1 API, 2 XML, 3 simplify, 4 Qimen.
APIS = {
    "tmall.fin.car.open.bill.notify": 0,
    "taobao.aliauto.risk.info.tmall.yc.service.sync": 1,
    "qimen.tmall.car.lease.signstatus.synchronize": 2,
}


def write(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def block_scalars(text, key):
    """The `key: |` block scalars of a spec, as the YAML writer lays them out."""
    lines = text.split("\n")
    out = []
    for i, line in enumerate(lines):
        m = re.match(rf"^(\s*){key}: [|>][-+]?\s*$", line)
        if not m:
            continue
        indent = len(m.group(1))
        body = []
        for follow in lines[i + 1:]:
            if follow.strip() and len(follow) - len(follow.lstrip()) <= indent:
                break
            body.append(follow)
        width = min((len(b) - len(b.lstrip()) for b in body if b.strip()), default=0)
        out.append("\n".join(b[width:] for b in body).strip() + "\n")
    return out


def tmc_frames():
    """TMC frames: version 2, type, headers (int16 type, 0 ends); counted strings in UTF-8 bytes."""
    def counted(b):
        b = b.encode() if isinstance(b, str) else b
        return struct.pack("<i", len(b)) + b

    def custom(key, tag, payload=b""):
        return struct.pack("<h", 1) + counted(key) + bytes([tag]) + payload

    def frame(kind, *headers):
        return bytes([2, kind]) + b"".join(headers) + struct.pack("<h", 0)

    token = struct.pack("<h", 5) + counted("token-1")
    every = [
        custom("v", 0), custom("s", 1, counted("买家 ✓")), custom("b", 2, b"\xfe"),
        custom("i16", 3, struct.pack("<h", -2)), custom("i32", 4, struct.pack("<i", -3)),
        custom("i64", 5, struct.pack("<q", 2**53 + 1)), custom("d", 6, struct.pack("<q", 1700000000000)),
        custom("a", 7, counted(b"\x00\x01")),
    ]
    return {
        "connect": frame(0, *(custom(k, 1, counted(v)) for k, v in [
            ("app_key", "12345"), ("group_name", "default"), ("timestamp", "1700000000000"),
            ("sdk", "top-runtime"), ("sign", "48EE5613138CF9D3755A27AF58B6EC36")])),
        "ack": frame(1, token),
        "refused": frame(1, struct.pack("<hi", 2, 400), struct.pack("<h", 3) + counted("sign error")),
        "message": frame(2, custom("id", 5, struct.pack("<q", 2**60 + 7)),
                         custom("topic", 1, counted("taobao_trade_TradeBuyerPay")),
                         custom("content", 1, counted('{"buyer_nick":"张三"}')),
                         custom("pub_time", 6, struct.pack("<q", 1700000000000)),
                         custom("user_nick", 1, counted("店铺")), struct.pack("<hi", 4, 1)),
        "confirm": frame(2, token, custom("__kind", 3, struct.pack("<h", 2)),
                         custom("id", 5, struct.pack("<q", 42))),
        "pull": frame(2, token, custom("__kind", 3, struct.pack("<h", 1))),
        "send_ack": frame(3, struct.pack("<hi", 2, 0)),
        "every_value": frame(2, *every),
    }


def main():
    specs = sorted((ROOT / "specs").glob("*.yaml"))
    for path in specs + sorted((ROOT / "generator/tests/bad_specs").glob("*.yaml")):
        write("spec", path.name, path.read_bytes())
    for path in sorted((ROOT / "generator/tests/pages").glob("*.txt")):
        write("page_import", path.name, path.read_bytes())

    for path in specs:
        text = path.read_text()
        method = path.name[: -len(".yaml")]
        api = APIS.get(method, 3)
        qimen = method.startswith("qimen.")
        for fmt, xml_bit in (("xml", 4), ("json", 0)):
            for n, body in enumerate(block_scalars(text, fmt)):
                for simplify in (0, 8):
                    for q in ((16,) if qimen else (0, 16)):
                        mode = api | xml_bit | simplify | q
                        write("response", f"{method}.{fmt}{n}.{mode}", bytes([mode]) + body.encode())
        for n, value in enumerate(re.findall(r"example: (.+)", text)):
            write("prepare", f"{method}.{n}", value.strip().strip('"').encode())

    envelopes = {
        "json.plain": (0, '{"tmall_fin_car_open_bill_notify_response":{"result":{"code":"10000","succeeded":true,"retry":false,"message":"异常"},"request_id":"abc"}}'),
        "json.simplify": (8, '{"result":{"code":10000,"succeeded":"true"}}'),
        "json.error": (0, '{"error_response":{"code":50,"msg":"Remote service error","sub_code":"isv.invalid-parameter","sub_msg":"非法参数","request_id":"x1"}}'),
        "json.qimen.ok": (2 | 16, '{"response":{"flag":"success","code":"0","message":"ok","success":"true","msgCode":"002"}}'),
        "json.qimen.failure": (2 | 16, '{"response":{"flag":"failure","code":"SYSTEM_ERROR","message":"boom","sub_message":"x"}}'),
        "xml.list": (3 | 4, '<?xml version="1.0" encoding="utf-8"?><a_response><items list="true"><item><n>1</n></item></items><t>&amp;&#x4e2d;</t></a_response><!--top010.cm12-->'),
        "xml.qimen": (2 | 4 | 16, '<response><flag>failure</flag><code>1</code><message>m</message></response>'),
    }
    for name, (mode, body) in envelopes.items():
        write("response", name, bytes([mode]) + body.encode())

    docs = sorted((ROOT / "catalogue/top-docs").glob("*/*.json"))
    for path in docs[::10]:
        if path.name != "catelog.json":
            write("doc_json", f"{path.parent.name}.{path.name}", path.read_bytes())

    token = (
        '{"w1_expires_in":1800,"refresh_token_valid_time":1446781012398,'
        '"taobao_user_nick":"%E5%95%86%E5%AE%B6%E6%B5%8B%E8%AF%95","re_expires_in":0,'
        '"expire_time":1446785212398,"token_type":"Bearer",'
        '"access_token":"6200e17f8ed7c89ZZ1b6f0d1b24ca3bfe3a3fb8c60d7ac2054970018",'
        '"open_uid":"AAHm5d-EAAeGwJedwSHpg8bT","w1_valid":1446701012398,'
        '"refresh_token":"6201e179ca03ZZ7f0d1b24ca3bfe3a3fb8c60d7ac2054970018",'
        '"w2_expires_in":0,"w2_valid":1446699212398,"r1_expires_in":1800,"r2_expires_in":0,'
        '"r2_valid":1446699212398,"r1_valid":1446701012398,"taobao_user_id":"2054970018",'
        '"expires_in":86400,"sub_taobao_user_id":"1","sub_taobao_user_nick":"a%3Ab"}'
    )
    quoted = token.replace('\\', '\\\\').replace('"', '\\"')
    tokens = {
        "documented": token,
        "strings": '{"access_token":"abcdefghijklmnopq","expires_in":"3600","re_expires_in":"7200","taobao_user_id":"12"}',
        "older": '{"access_token":"abcdefghijklmnopq","token_type":"Bearer","expires_in":86400,"refresh_token":"rrrrrrrrrrrrrrrrr"}',
        "refused": '{"error":"invalid_grant","error_description":"authorize code expire"}',
        "api": '{"top_auth_token_create_response":{"token_result":"' + quoted + '","request_id":"r"}}',
        "error_response": '{"error_response":{"code":15,"msg":"Remote service error","sub_msg":"x"}}',
        "garbage": '{"access_token":"abcdefghijklmnopq","expire_time":"soon"',
    }
    for name, body in tokens.items():
        write("token_result", name, body)
    for name, frame in tmc_frames().items():
        write("tmc_frame", name, frame)
    # Mode bit 0 clear: a value for the mirror structs of fuzz_targets/json_pull.rs.
    values = {
        "every_type": '{"i":[{"p":"0.10","n":"12","w":1451620800000,"f":"true","t":7,"j":[1],"m":{"k":1}}],"x":{"w":"2016-01-01 12:00:00"},"c":"1,2","s":{"string":["a","b"]},"f":false}',
        "wrappers": '{"i":{"inner":{"p":200.07}},"c":{"number":7},"s":"","x":[]}',
        "misfits": '{"i":[{},{"p":"x"}],"f":"maybe","c":[1,"y"],"x":3}',
        "repeats": '{"f":"maybe","f":true,"i":{"a":[],"a":[]},"x":{"n":1,"n":"z"}}',
        "escapes": '{"t":"\\u00e9\\n\\ud83d\\ude00","s":"a,b,\\"c\\"","n":-0,"w":"","m":"x"}',
    }
    for name, body in values.items():
        write("json_pull", name, bytes([0]) + body.encode())
    # Mode bit 0 set: the whole-response seeds, bits 1 XML, 2 simplify, 3-4 API.
    responses = {
        "bill.json": (0, '{"tmall_fin_car_open_bill_notify_response":{"result":{"code":"10000","succeeded":true,"retry":"false","message":"异常"},"request_id":"abc"}}'),
        "bill.simplified": (4, '{"result":{"code":10000,"succeeded":"true"},"request_id":"abc"}'),
        "bill.xml": (2, '<?xml version="1.0"?><tmall_fin_car_open_bill_notify_response><result><code>1</code><succeeded>true</succeeded></result></tmall_fin_car_open_bill_notify_response><!--top-->'),
        "error": (0, '{"error_response":{"code":50,"msg":"Remote service error"}}'),
    }
    for name, (mode, body) in responses.items():
        write("json_pull", name, bytes([1 | mode]) + body.encode())

    # Topic bytes follow TOPICS, which lists the message specs in file-name order.
    messages = sorted((ROOT / "specs/messages").glob("*.yaml"))
    for i, path in enumerate(messages):
        topic = path.name[: -len(".yaml")]
        for n, example in enumerate(re.findall(r"^example: '(.*)'$", path.read_text(), re.M)):
            write("tmc_message", f"{topic}.{n}", bytes([i]) + example.replace("''", "'").encode())
        write("tmc_message", f"{topic}.loose", bytes([i]) + '{"tid":"12","payment":"0.10","buyer_nick":"张三","modified":"2026-01-02 03:04:05","extra":[{}]}'.encode())
        write("tmc_message", f"{topic}.misfit", bytes([i]) + b'{"tid":"x","oid":1.5}')
    write("tmc_message", "unknown", bytes([len(messages)]) + b'{"anything": true}')

    for d in sorted(CORPUS.iterdir()):
        print(f"{d.relative_to(ROOT)}: {len(list(d.iterdir()))} seeds")


main()
