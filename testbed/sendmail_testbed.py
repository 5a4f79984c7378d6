#!/usr/bin/env python3
"""sendmail_testbed.py - the Sendmail parts of the bouncescan real-MTA testbed.

The shared testbed (../shared/testbed: smtp_sink.py, testbed.py) knows Postfix
and Exim; this adds what Sendmail needs, reusing its scenario table, send plan
and code parsing (imported from --testbed):

  sendmail_testbed.py routes  --testbed DIR --scenarios S --mailertable F --mailers M4
  sendmail_testbed.py inbound --out DIR --set-tag T
  sendmail_testbed.py truth   --testbed DIR --scenarios S --out DIR --log LOG --log-name NAME --truth OUT

Truth rows have the columns of testbed.py's truth files (mta = sendmail).
Loopback only; Python 3 stdlib only.
"""
import argparse
import json
import os
import re
import smtplib
import sys
from collections import Counter

LOCAL_DOMAIN = "mta.testbed.test"


def shared(testbed):
    sys.path.insert(0, os.path.abspath(testbed))
    import smtp_sink  # noqa: E402
    import testbed as tb  # noqa: E402
    return smtp_sink, tb


def cmd_routes(a):
    sink, tb = shared(a.testbed)
    rows = sink.load_scenarios(a.scenarios)
    ports = sink.iso_ports(rows, tb.ISO_BASE)
    table = {tb.SENDER_DOMAIN: "esmtp:[127.0.0.1]"}
    mailers = []
    for r in rows:
        d = tb.domain_for(r)
        if r["id"] in ports:
            p = ports[r["id"]]
            table[d] = "iso%d:[127.0.0.1]" % p
            mailers.append("Miso%d,\tP=[IPC], F=mDFMuXa, S=EnvFromSMTP/HdrFromSMTP, R=EnvToSMTP, E=\\r\\n, L=990,\n"
                           "\tT=DNS/RFC822/SMTP, A=TCP $h %d" % (p, p))
        else:
            table[d] = "esmtp:[127.0.0.1]"
    with open(a.mailertable, "w") as f:
        for d in sorted(table):
            f.write("%s\t%s\n" % (d, table[d]))
    with open(a.mailers, "w") as f:
        f.write("MAILER_DEFINITIONS\n" + "\n".join(mailers) + "\n")


# inbound probes of Sendmail's own listener:
# (name, helo, sender, rcpt, size, expected class, subject, reason)
def probes(tag):
    return [
        ("in-unknown-local", "client.test", "a@sender.test", "nobody-%s@%s" % (tag, LOCAL_DOMAIN), None,
         "permanent", "addressing", "userunknown"),
        # (a SIZE= refusal at MAIL FROM, 552 5.2.3, is not logged by Sendmail
        # at LogLevel 9: nothing to check it against)
    ]


def cmd_inbound(a):
    res = []
    for (name, helo, snd, rcpt, size, cls, subj, reason) in probes(a.set_tag.lower()):
        out = {"name": name, "helo": helo, "sender": snd, "rcpt": rcpt,
               "expected_class": cls, "expected_subject": subj, "expected_reason": reason}
        try:
            s = smtplib.SMTP("127.0.0.1", 25, local_hostname=helo, timeout=20)
            s.ehlo(helo)
            c, msg = s.mail(snd, ["SIZE=%d" % size] if size else [])
            out["mail"] = [c, msg.decode(errors="replace")]
            if c < 300:
                c, msg = s.rcpt(rcpt)
                out["rcpt_reply"] = [c, msg.decode(errors="replace")]
            s.rset()
            s.quit()
        except Exception as e:  # noqa
            out["error"] = repr(e)
        res.append(out)
        print(name, {k: v for k, v in out.items() if k in ("mail", "rcpt_reply", "error")})
    with open(os.path.join(a.out, "inbound.json"), "w") as f:
        json.dump(res, f, indent=1)


# ------------------------------------------------------------------ truth
SM_TO = re.compile(r"^.*? sm-mta\[\d+\]: (?P<qid>\w+): to=(?P<list>.*?), "
                   r"(?:.*, )?stat=(?P<stat>.*)$")
# queue lifetime over: "QID: DSNQID: DSN: Cannot send message for 2 minutes, 30 seconds"
SM_EXPIRE = re.compile(r"^.*? sm-mta\[\d+\]: (?P<qid>\w+): (?:\w+: DSN: )?Cannot send message for")
SM_FROM = re.compile(r"^.*? sm-mta\[\d+\]: (?P<qid>\w+): from=<?(?P<sender>[^,>]*)>?, ")
SM_REJ = re.compile(r"^.*? sm-mta\[\d+\]: (?P<qid>\w+): ")
OWN_REPLY = re.compile(r", reply=(\d{3})[ -](\d\.\d{1,3}\.\d{1,3})?")
# local aliases of the testbed: Sendmail logs the expanded address only
ALIASES = {"postmaster@" + LOCAL_DOMAIN: "root"}


def status_of(stat):
    if stat.startswith("Sent"):
        return "sent"
    if stat.startswith("Deferred"):
        return "deferred"
    if stat.startswith("queued"):
        return ""
    if "Cannot send message for" in stat:
        return "expired"
    return "bounced"


def sm_events(path):
    ev = []
    for ln in open(path, encoding="utf-8", errors="replace"):
        ln = ln.rstrip("\n")
        m = SM_TO.match(ln)
        if m:
            st = status_of(m["stat"])
            if not st:
                continue
            for r in m["list"].split(","):
                r = r.strip().strip("<>").lower()
                if r and r != "[more]":
                    ev.append(dict(kind="to", qid=m["qid"], rcpt=r, status=st, line=ln))
            continue
        m = SM_EXPIRE.match(ln)
        if m:
            ev.append(dict(kind="expired", qid=m["qid"], rcpt="", line=ln))
            continue
        m = SM_FROM.match(ln)
        if m:
            ev.append(dict(kind="from", qid=m["qid"], sender=m["sender"].lower(), line=ln))
            continue
        if " reject=" in ln or ">... User unknown" in ln:
            m = SM_REJ.match(ln)
            ev.append(dict(kind="reject", qid=m["qid"] if m else "", line=ln))
    return ev


def cmd_truth(a):
    sink, tb = shared(a.testbed)
    rows = sink.load_scenarios(a.scenarios)
    byid = {r["id"]: r for r in rows}
    local = {
        "local-unknown": {"id": "local-unknown", "stage": "local", "reply": "", "expected_class": "permanent",
                          "expected_subject": "addressing", "expected_reason": "userunknown", "fail_times": "0"},
        "local-ok": {"id": "local-ok", "stage": "local", "reply": "", "expected_class": "success",
                     "expected_subject": "other", "expected_reason": "delivered", "fail_times": "0"},
    }
    plan = json.load(open(os.path.join(a.out, "plan.json")))
    ev = sm_events(a.log)
    out, mism = [], []

    def add(qid, rcpt, status, row, code, enh, stage, note, line):
        ok = status == "sent"
        out.append(["sendmail", a.log_name, qid, rcpt, status, code, enh, stage, row["id"],
                    "success" if ok else row["expected_class"], "other" if ok else row["expected_subject"],
                    "delivered" if ok else row["expected_reason"], note, line])

    seen = set()
    for m in plan:
        srow = byid.get(m.get("sender_scenario") or "")
        for r in m["rcpts"]:
            addr = r["addr"].lower()
            if addr in seen:
                continue
            seen.add(addr)
            row = byid.get(r["scenario"]) or local[r["scenario"]]
            eff = row
            if srow:
                eff = srow
            elif row["stage"] != "rcpt" or row["expected_class"] == "success":
                for o in m["rcpts"]:
                    orow = byid.get(o["scenario"])
                    if orow and orow["stage"] in ("data", "eod") and row["stage"] != "rcpt":
                        eff = orow
                        break
            cls = eff["expected_class"]
            ft = int(eff.get("fail_times") or 0)
            allowed = {"success": ["sent"], "permanent": ["bounced"]}.get(cls) or (["deferred", "sent"] if ft else ["deferred", "expired"])
            code, enh = tb.parse_code(eff["reply"]) if eff["reply"] else ("", "")
            qids = {e["qid"] for e in ev if e["kind"] == "from" and e["sender"] == m["sender"].lower()}
            evs = [e for e in ev if e["kind"] == "to" and (e["rcpt"] == addr or e["rcpt"] == ALIASES.get(addr) and e["qid"] in qids)]
            for e in evs:
                e["used"] = True
            if not evs:
                mism.append("%s %s: no log line" % (m["tag"], addr))
                continue
            for e in evs:
                note = ""
                if e["status"] not in allowed:
                    note = "MISMATCH expected one of %s" % "/".join(allowed)
                    mism.append("%s %s %s: log status %s, expected %s | %s" % (m["tag"], addr, eff["id"], e["status"], "/".join(allowed), e["line"][-250:]))
                if e["status"] == "sent":
                    add(e["qid"], addr, "sent", eff, "250", "", "", note, e["line"])
                    continue
                c, x = code, enh
                own = OWN_REPLY.search(e["line"])
                if not code and own:
                    # no reply from the remote (a dropped connection, a local
                    # refusal): Sendmail logs a reply of its own making
                    c, x = own.group(1), own.group(2) or ""
                    note = (note + "; " if note else "") + "QUIRK sendmail logs its own reply=%s %s" % (c, x)
                add(e["qid"], addr, e["status"], eff, c, x, eff["stage"], note, e["line"])
            if "expired" in allowed and not any(e["status"] == "expired" for e in evs):
                qid = evs[0]["qid"]
                ex = [e for e in ev if e["kind"] == "expired" and e["qid"] == qid and e["rcpt"] in ("", addr)]
                if ex:
                    # the expiry carries the last deferral's reply
                    c, x = out[-1][5], out[-1][6]
                    add(qid, addr, "expired", eff, c, x, eff["stage"], "message-level expiry line", ex[0]["line"])
                else:
                    mism.append("%s %s: no expiry line (still deferred?)" % (m["tag"], addr))
    planned = {r["addr"].lower() for m in plan for r in m["rcpts"]}
    dsn = {"id": "dsn-to-sender", "expected_class": "success", "expected_subject": "other", "expected_reason": "delivered"}
    for e in ev:
        if e["kind"] == "to" and e["rcpt"] not in planned and not e.get("used"):
            note = "delivery status notification to the original sender"
            if e["status"] != "sent":
                note += "; MISMATCH notification not delivered"
                mism.append("dsn %s %s %s" % (e["qid"], e["rcpt"], e["status"]))
            add(e["qid"], e["rcpt"], e["status"], dsn, "250" if e["status"] == "sent" else "", "", "", note, e["line"])
    inb = os.path.join(a.out, "inbound.json")
    if os.path.exists(inb):
        rej = [e for e in ev if e["kind"] == "reject"]
        names = {p[0] for p in probes(a.set_tag.lower())}
        for p in json.load(open(inb)):
            if p["name"] not in names:
                continue
            got = p.get("rcpt_reply") or p.get("mail")
            gotcode, gottext = (str(got[0]), got[1]) if got else ("", "")
            key = p["rcpt"].lower() if p.get("rcpt_reply") else "size"
            hits = [e for e in rej if key in e["line"].lower()]
            if not hits:
                mism.append("inbound %s: no reject log line" % p["name"])
            if gotcode[:1] not in ("4", "5"):
                mism.append("inbound %s: not rejected (%s %s)" % (p["name"], gotcode, gottext))
            m2 = re.match(r"([245]\.\d{1,3}\.\d{1,3})", gottext)
            row = {"id": p["name"], "expected_class": p["expected_class"], "expected_subject": p["expected_subject"],
                   "expected_reason": p["expected_reason"]}
            # Sendmail logs a refused RCPT as "<x>... User unknown": the code the
            # client got (in inbound.json) is not in the log
            add(hits[0]["qid"] if hits else "", p["rcpt"].lower(), "rejected", row, "", "",
                "rcpt" if p.get("rcpt_reply") else "mail",
                "QUIRK the client got %s %s; the log line has no code" % (gotcode, m2.group(1) if m2 else ""),
                hits[0]["line"] if hits else "")
    hdr = ["mta", "log_file", "queue_id", "recipient", "expected_status", "reply_code", "enhanced_code",
           "stage", "scenario_id", "expected_class", "expected_subject", "expected_reason", "check_note", "log_line"]
    with open(a.truth, "w") as f:
        f.write("\t".join(hdr) + "\n")
        for r in out:
            f.write("\t".join(str(x).replace("\t", " ") for x in r) + "\n")
    with open(a.truth + ".mismatches.txt", "w") as f:
        f.write("\n".join(mism) + ("\n" if mism else ""))
    print("rows", len(out), dict(Counter(r[4] for r in out)), "mismatches", len(mism))
    for x in mism[:60]:
        print("  ", x[:400])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["routes", "inbound", "truth"])
    ap.add_argument("--testbed", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "testbed"))
    ap.add_argument("--scenarios")
    ap.add_argument("--mailertable")
    ap.add_argument("--mailers")
    ap.add_argument("--out", default=".")
    ap.add_argument("--set-tag", default="S")
    ap.add_argument("--log")
    ap.add_argument("--log-name", default="maillog")
    ap.add_argument("--truth")
    a = ap.parse_args()
    {"routes": cmd_routes, "inbound": cmd_inbound, "truth": cmd_truth}[a.cmd](a)


if __name__ == "__main__":
    main()
