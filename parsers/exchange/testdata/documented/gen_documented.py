#!/usr/bin/env python3
"""Writes parsers/exchange/testdata/documented/*: Exchange logs in the
layouts Microsoft documents (values invented), and truth.tsv: one row per
expected event (file, line, recipient, fields, verdict); unparsed.tsv: the
lines the parser must refuse.

Layouts from Microsoft's pages:
- message tracking (fields, event types, source values):
  https://learn.microsoft.com/exchange/mail-flow/transport-logs/message-tracking
- Get-MessageTrackingLog (cmdlet field names):
  https://learn.microsoft.com/powershell/module/exchange/get-messagetrackinglog
- protocol logging: https://learn.microsoft.com/exchange/mail-flow/connectors/protocol-logging
- connectivity logging: https://learn.microsoft.com/exchange/mail-flow/transport-logs/connectivity-logging
- Get-MessageTrace / Get-MessageTraceV2 (Status values), Get-MessageTraceDetail:
  https://learn.microsoft.com/powershell/module/exchange/get-messagetrace
  https://learn.microsoft.com/powershell/module/exchange/get-messagetracev2
  https://learn.microsoft.com/powershell/module/exchange/get-messagetracedetail
- admin center summary, enhanced summary and extended reports:
  https://learn.microsoft.com/exchange/monitoring/trace-an-email-message/message-trace-modern-eac
Run: python3 gen_documented.py DIR"""
import csv, io, os, sys

OUT = sys.argv[1]
truth = []
UNPARSED = []  # (file, line) the parser must refuse as unparsed, with a reason

def row(vals):
    b = io.StringIO()
    csv.writer(b, lineterminator="").writerow(vals)
    return b.getvalue()

class F:
    def __init__(s, name, eol="\r\n", bom=False, enc="utf-8"):
        s.name, s.eol, s.bom, s.enc, s.lines = name, eol, bom, enc, []
    def add(s, line):
        s.lines.append(line); return len(s.lines)
    def write(s):
        data = s.eol.join(s.lines) + s.eol
        with open(os.path.join(OUT, s.name), "wb") as f:
            if s.enc == "utf-16-le":
                f.write(b"\xff\xfe" + data.encode("utf-16-le"))
            else:
                f.write((b"\xef\xbb\xbf" if s.bom else b"") + data.encode("utf-8"))

T_COLS = ["file","line","recipient","status","stage","reply_code","enhanced_code","dsn","text","relay","relay_ip","sender","message_id","queue_id","hop","class","reason","note"]

def expect(f, line, rcpt, status, stage="", code="", enh="", dsn="", text="", relay="", ip="", sender="", mid="", qid="", hop="", cls="", reason="", note=""):
    truth.append([f.name, str(line), rcpt, status, stage, str(code), enh, dsn, text, relay, ip, sender, mid, qid, hop, cls, reason, note])

# ---------------------------------------------------------------- tracking 2013+
T2013 = "date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,event-id,internal-message-id,message-id,network-message-id,recipient-address,recipient-status,total-bytes,recipient-count,related-recipient-address,reference,message-subject,sender-address,return-path,message-info,directionality,tenant-id,original-client-ip,original-server-ip,custom-data,transport-traffic-type,log-id,schema-version".split(",")
T2010 = T2013[:11] + T2013[12:26]

def trk(cols, **kv):
    vals = []
    for c in cols:
        vals.append(kv.pop(c.replace("-", "_"), ""))
    assert not kv, kv
    return row(vals)

def header(f, logtype, fields, version="15.02.1544.004", date="2026-11-23T00:00:00.000Z"):
    f.add("#Software: Microsoft Exchange Server")
    f.add("#Version: " + version)
    f.add("#Log-type: " + logtype)
    f.add("#Date: " + date)
    f.add("#Fields: " + ",".join(fields))

m = F("MSGTRK20261123-1.LOG", bom=True)
header(m, "Message Tracking Log", T2013)
V = "15.02.1544.004"
def t13(**kv):
    kv.setdefault("schema_version", V); kv.setdefault("transport_traffic_type", "Email")
    kv.setdefault("server_hostname", "MBX01")
    return m.add(trk(T2013, **kv))

A = dict(sender_address="alice@contoso.test", return_path="alice@contoso.test", directionality="Originating")
subj = 'Budget, Q4 "final" numbers'
m.add(trk(T2013, date_time="2026-11-23T08:00:00.010Z", server_hostname="MBX01", source="STOREDRIVER", event_id="NOTIFYMAPI", recipient_count="0", directionality="Undefined", schema_version=V))
t13(date_time="2026-11-23T08:00:00.120Z", client_ip="10.0.0.31", client_hostname="MBX01", server_ip="10.0.0.31", source_context="MDB:5b1c1e8a-0000-4000-8000-000000000001, Mailbox:1f2e3d4c-0000-4000-8000-000000000002, Event:88412, MessageClass:IPM.Note, CreationTime:2026-11-23T08:00:00.000Z, ClientType:OWA", source="STOREDRIVER", event_id="RECEIVE", internal_message_id="210001", message_id="<b7c1@MBX01.contoso.test>", network_message_id="9a1b2c3d-0001-4e00-8000-08de2b000001", recipient_address="pat@fabrikam.example;lee@fabrikam.example;ghost@contoso.test", recipient_status="To;To;Cc", total_bytes="18231", recipient_count="3", message_subject=subj, **A)
t13(date_time="2026-11-23T08:00:00.130Z", server_hostname="MBX01", source_context="MDB:5b1c1e8a-0000-4000-8000-000000000001, Mailbox:1f2e3d4c-0000-4000-8000-000000000002, Event:88412, MessageClass:IPM.Note, CreationTime:2026-11-23T08:00:00.000Z, ClientType:OWA, SubmissionAssistant:MailboxTransportSubmissionEmailAssistant", source="STOREDRIVER", event_id="SUBMIT", internal_message_id="210001", message_id="<b7c1@MBX01.contoso.test>", network_message_id="9a1b2c3d-0001-4e00-8000-08de2b000001", recipient_count="3", message_subject=subj, **A)
t13(date_time="2026-11-23T08:00:00.200Z", server_ip="10.0.0.32", server_hostname="MBX02.contoso.test", source="SMTP", event_id="HAREDIRECT", internal_message_id="210001", message_id="<b7c1@MBX01.contoso.test>", network_message_id="9a1b2c3d-0001-4e00-8000-08de2b000001", recipient_address="pat@fabrikam.example;lee@fabrikam.example;ghost@contoso.test", total_bytes="18231", recipient_count="3", message_subject=subj, **A)
t13(date_time="2026-11-23T08:00:00.300Z", source="AGENT", source_context="Transport Rule Agent", event_id="AGENTINFO", internal_message_id="210001", message_id="<b7c1@MBX01.contoso.test>", network_message_id="9a1b2c3d-0001-4e00-8000-08de2b000001", recipient_address="pat@fabrikam.example;lee@fabrikam.example;ghost@contoso.test", total_bytes="18231", recipient_count="3", message_subject=subj, custom_data="S:TRA=ETR|ruleId=3c2b1a00-0000-4000-8000-000000000009|st=11/23/2026 8:00:00 AM|action=ApplyHtmlDisclaimer|sev=1|mode=Enforce", **A)
n = t13(date_time="2026-11-23T08:00:00.410Z", source="ROUTING", event_id="FAIL", internal_message_id="210001", message_id="<b7c1@MBX01.contoso.test>", network_message_id="9a1b2c3d-0001-4e00-8000-08de2b000001", recipient_address="ghost@contoso.test", recipient_status="550 5.1.1 RESOLVER.ADR.RecipNotFound; not found", total_bytes="18231", recipient_count="1", message_subject=subj, **A)
expect(m, n, "ghost@contoso.test", "bounced", code=550, enh="5.1.1", dsn="5.1.1", text="RESOLVER.ADR.RecipNotFound; not found", sender="alice@contoso.test", mid="b7c1@MBX01.contoso.test", qid="210001", cls="permanent", reason="userunknown")
t13(date_time="2026-11-23T08:00:00.420Z", source="DSN", event_id="DSN", internal_message_id="210002", message_id="<ndr-b7c1@MBX01.contoso.test>", network_message_id="9a1b2c3d-0002-4e00-8000-08de2b000002", recipient_address="alice@contoso.test", total_bytes="9120", recipient_count="1", related_recipient_address="ghost@contoso.test", reference="<b7c1@MBX01.contoso.test>", message_subject="Undeliverable: " + subj, sender_address="MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@contoso.test", return_path="<>", directionality="Originating")
n = t13(date_time="2026-11-23T08:00:02.900Z", client_ip="10.0.0.31", client_hostname="MBX01.contoso.test", server_ip="203.0.113.25", server_hostname="mx.fabrikam.example", source_context="08DE2B11C0A80001;250 2.0.0 OK 1732348802 q12si4 - gsmtp;ClientSubmitTime:2026-11-23T08:00:00.000Z", connector_id="Outbound to Internet", source="SMTP", event_id="SEND", internal_message_id="210001", message_id="<b7c1@MBX01.contoso.test>", network_message_id="9a1b2c3d-0001-4e00-8000-08de2b000001", recipient_address="pat@fabrikam.example;lee@fabrikam.example", recipient_status="250 2.1.5 Recipient OK;250 2.1.5 Recipient OK", total_bytes="18544", recipient_count="2", message_subject=subj, message_info="2026-11-23T08:00:00.000Z;SRV=MBX01.contoso.test:TOTAL-SUB=0.201|SMR=0.090|SMS=2.610", **A)
for r in ("pat@fabrikam.example", "lee@fabrikam.example"):
    expect(m, n, r, "sent", code=250, enh="2.1.5", dsn="2.1.5", text="Recipient OK", relay="mx.fabrikam.example", ip="203.0.113.25", sender="alice@contoso.test", mid="b7c1@MBX01.contoso.test", qid="210001", cls="success", reason="delivered")

# incoming: distribution group expansion, resolve, redirect, deliver, duplicate
IN = dict(sender_address="news@tailspin.example", return_path="bounces@tailspin.example", directionality="Incoming")
t13(date_time="2026-11-23T09:00:00.000Z", client_ip="198.51.100.80", client_hostname="out.tailspin.example", server_ip="10.0.0.31", source_context="08DE2B11C0A80002;250 2.6.0 <nl-5@tailspin.example> [InternalId=210010, Hostname=MBX01.contoso.test] 40120 bytes in 0.310, 126.1 KB/sec Queued mail for delivery", connector_id="MBX01\\Default Frontend MBX01", source="SMTP", event_id="RECEIVE", internal_message_id="210010", message_id="<nl-5@tailspin.example>", network_message_id="9a1b2c3d-0010-4e00-8000-08de2b000010", recipient_address="all-staff@contoso.test;oldname@contoso.test", recipient_status="To;To", total_bytes="40120", recipient_count="2", message_subject="November newsletter", original_client_ip="198.51.100.80", **IN)
t13(date_time="2026-11-23T09:00:00.050Z", source="ROUTING", event_id="EXPAND", internal_message_id="210010", message_id="<nl-5@tailspin.example>", network_message_id="9a1b2c3d-0010-4e00-8000-08de2b000010", recipient_address="dana@contoso.test;sam@contoso.test", total_bytes="40120", recipient_count="2", related_recipient_address="all-staff@contoso.test", message_subject="November newsletter", **IN)
t13(date_time="2026-11-23T09:00:00.060Z", source="ROUTING", event_id="RESOLVE", internal_message_id="210010", message_id="<nl-5@tailspin.example>", network_message_id="9a1b2c3d-0010-4e00-8000-08de2b000010", recipient_address="newname@contoso.test", total_bytes="40120", recipient_count="1", related_recipient_address="oldname@contoso.test", message_subject="November newsletter", **IN)
t13(date_time="2026-11-23T09:00:00.070Z", source="ROUTING", event_id="REDIRECT", internal_message_id="210010", message_id="<nl-5@tailspin.example>", network_message_id="9a1b2c3d-0010-4e00-8000-08de2b000010", recipient_address="delegate@contoso.test", total_bytes="40120", recipient_count="1", related_recipient_address="sam@contoso.test", message_subject="November newsletter", **IN)
t13(date_time="2026-11-23T09:00:00.080Z", source="ROUTING", event_id="TRANSFER", internal_message_id="210010", message_id="<nl-5@tailspin.example>", network_message_id="9a1b2c3d-0010-4e00-8000-08de2b000010", recipient_address="delegate@contoso.test", total_bytes="40120", recipient_count="1", reference="210011", source_context="ContentConversion", message_subject="November newsletter", **IN)
n = t13(date_time="2026-11-23T09:00:01.500Z", client_ip="10.0.0.31", client_hostname="MBX01", server_ip="10.0.0.31", server_hostname="MBX01.contoso.test", source_context="<20261123090001.AB12@MBX01.contoso.test>", connector_id="", source="STOREDRIVER", event_id="DELIVER", internal_message_id="210010", message_id="<nl-5@tailspin.example>", network_message_id="9a1b2c3d-0010-4e00-8000-08de2b000010", recipient_address="dana@contoso.test;newname@contoso.test", recipient_status="", total_bytes="40120", recipient_count="2", message_subject="November newsletter", message_info="2026-11-23T09:00:00.000Z;SRV=MBX01.contoso.test:TOTAL-FE=0.310|MBXE=0.004", **IN)
for r in ("dana@contoso.test", "newname@contoso.test"):
    expect(m, n, r, "sent", code=250, sender="news@tailspin.example", mid="nl-5@tailspin.example", qid="210010", cls="success", reason="delivered", note="DELIVER without recipient-status: 250 assumed")
t13(date_time="2026-11-23T09:00:01.600Z", source="STOREDRIVER", event_id="DUPLICATEDELIVER", internal_message_id="210010", message_id="<nl-5@tailspin.example>", network_message_id="9a1b2c3d-0010-4e00-8000-08de2b000010", recipient_address="dana@contoso.test", total_bytes="40120", recipient_count="1", message_subject="November newsletter", **IN)
t13(date_time="2026-11-23T09:00:02.000Z", source="REDUNDANCY", event_id="HADISCARD", internal_message_id="210010", message_id="<nl-5@tailspin.example>", network_message_id="9a1b2c3d-0010-4e00-8000-08de2b000010", recipient_address="dana@contoso.test;newname@contoso.test", total_bytes="40120", recipient_count="2", message_subject="November newsletter", **IN)

# deferrals then expiry; 4.4.316 connection refused; expired with LED
B = dict(sender_address="billing@contoso.test", return_path="billing@contoso.test", directionality="Originating")
t13(date_time="2026-11-23T10:00:00.000Z", client_ip="10.0.0.31", client_hostname="MBX01", server_ip="10.0.0.31", source="STOREDRIVER", event_id="RECEIVE", internal_message_id="210020", message_id="<inv-77@contoso.test>", network_message_id="9a1b2c3d-0020-4e00-8000-08de2b000020", recipient_address="ap@wingtip.example;ar@wingtip.example", recipient_status="To;Cc", total_bytes="55210", recipient_count="2", message_subject="Invoice 77", **B)
led1 = '[{LRT=11/23/2026 10:05:00 AM};{LED=451 4.4.397 Error encountered while communicating with primary target IP address: "Failed to connect. Winsock error code: 10060, Win32 error code: 10060." Attempted failover to alternate host, but that did not succeed. Either there are no alternate hosts, or delivery failed to all alternate hosts. The last endpoint attempted was 192.0.2.45:25};{MSG=};{FQDN=mx.wingtip.example};{IP=192.0.2.45};{LRT=11/23/2026 10:05:00 AM}]'
n = t13(date_time="2026-11-23T10:05:00.500Z", server_ip="192.0.2.45", server_hostname="mx.wingtip.example", connector_id="Outbound to Internet", source="SMTP", event_id="DEFER", internal_message_id="210020", message_id="<inv-77@contoso.test>", network_message_id="9a1b2c3d-0020-4e00-8000-08de2b000020", recipient_address="ap@wingtip.example;ar@wingtip.example", recipient_status=led1 + ";" + led1, total_bytes="55210", recipient_count="2", message_subject="Invoice 77", **B)
txt1 = 'Error encountered while communicating with primary target IP address: "Failed to connect. Winsock error code: 10060, Win32 error code: 10060." Attempted failover to alternate host, but that did not succeed. Either there are no alternate hosts, or delivery failed to all alternate hosts. The last endpoint attempted was 192.0.2.45:25'
for r in ("ap@wingtip.example", "ar@wingtip.example"):
    expect(m, n, r, "deferred", stage="connect", code=451, enh="4.4.397", dsn="4.4.397", text=txt1, relay="mx.wingtip.example", ip="192.0.2.45", sender="billing@contoso.test", mid="inv-77@contoso.test", qid="210020", cls="transient", reason="networkerror")
led2 = '[{LRT=11/23/2026 11:05:00 AM};{LED=451 4.4.316 Connection refused [Message=Socket error code 10061] [LastAttemptedServerName=mx.wingtip.example] [LastAttemptedIP=192.0.2.45:25]};{FQDN=mx.wingtip.example};{IP=192.0.2.45}]'
n = t13(date_time="2026-11-23T11:05:00.500Z", server_ip="192.0.2.45", server_hostname="mx.wingtip.example", connector_id="Outbound to Internet", source="SMTP", event_id="DEFER", internal_message_id="210020", message_id="<inv-77@contoso.test>", network_message_id="9a1b2c3d-0020-4e00-8000-08de2b000020", recipient_address="ap@wingtip.example", recipient_status=led2, total_bytes="55210", recipient_count="1", message_subject="Invoice 77", **B)
txt2 = "Connection refused [Message=Socket error code 10061] [LastAttemptedServerName=mx.wingtip.example] [LastAttemptedIP=192.0.2.45:25]"
expect(m, n, "ap@wingtip.example", "deferred", stage="connect", code=451, enh="4.4.316", dsn="4.4.316", text=txt2, relay="mx.wingtip.example", ip="192.0.2.45", sender="billing@contoso.test", mid="inv-77@contoso.test", qid="210020", cls="transient", reason="networkerror")
n = t13(date_time="2026-11-25T10:00:00.900Z", source="QUEUE", event_id="FAIL", internal_message_id="210020", message_id="<inv-77@contoso.test>", network_message_id="9a1b2c3d-0020-4e00-8000-08de2b000020", recipient_address="ap@wingtip.example", recipient_status="550 4.4.7 QUEUE.Expired; message expired", total_bytes="55210", recipient_count="1", message_subject="Invoice 77", **B)
expect(m, n, "ap@wingtip.example", "expired", stage="connect", code=451, enh="4.4.316", dsn="4.4.7", text=txt2, relay="mx.wingtip.example", ip="192.0.2.45", sender="billing@contoso.test", mid="inv-77@contoso.test", qid="210020", cls="transient", reason="networkerror", note="expiry without LED carries the recipient's last DEFER (the project's convention: an expiry is classified by the cause of its deferrals); dsn is Exchange's 4.4.7")
n = t13(date_time="2026-11-25T10:00:00.950Z", source="QUEUE", event_id="FAIL", internal_message_id="210020", message_id="<inv-77@contoso.test>", network_message_id="9a1b2c3d-0020-4e00-8000-08de2b000020", recipient_address="ar@wingtip.example", recipient_status='550 4.4.7 QUEUE.Expired; message expired [{LRT=11/25/2026 9:55:00 AM};{LED=421 4.4.2 Connection dropped due to SocketError};{FQDN=mx.wingtip.example};{IP=192.0.2.45}]', total_bytes="55210", recipient_count="1", message_subject="Invoice 77", **B)
expect(m, n, "ar@wingtip.example", "expired", code=421, enh="4.4.2", dsn="4.4.7", text="Connection dropped due to SocketError", relay="mx.wingtip.example", ip="192.0.2.45", sender="billing@contoso.test", mid="inv-77@contoso.test", qid="210020", cls="transient", reason="networkerror", note="the LED of the expiry row is the cause")

# failures with Exchange codes; one multi-recipient row with one status each
C = dict(sender_address="hr@contoso.test", return_path="hr@contoso.test", directionality="Originating")
t13(date_time="2026-11-23T12:00:00.000Z", client_ip="10.0.0.31", client_hostname="MBX01", server_ip="10.0.0.31", source="STOREDRIVER", event_id="RECEIVE", internal_message_id="210030", message_id="<hr-1@contoso.test>", network_message_id="9a1b2c3d-0030-4e00-8000-08de2b000030", recipient_address="big@contoso.test;restricted@contoso.test;x400@contoso.test", recipient_status="To;To;To", total_bytes="31457280", recipient_count="3", message_subject="Scans, part 1", **C)
n = t13(date_time="2026-11-23T12:00:00.300Z", source="ROUTING", event_id="FAIL", internal_message_id="210030", message_id="<hr-1@contoso.test>", network_message_id="9a1b2c3d-0030-4e00-8000-08de2b000030", recipient_address="big@contoso.test;restricted@contoso.test", recipient_status="550 5.2.3 RESOLVER.RST.RecipSizeLimit; message too large for this recipient;550 5.7.1 RESOLVER.RST.AuthRequired; authentication required", total_bytes="31457280", recipient_count="2", message_subject="Scans, part 1", **C)
expect(m, n, "big@contoso.test", "bounced", code=550, enh="5.2.3", dsn="5.2.3", text="RESOLVER.RST.RecipSizeLimit; message too large for this recipient", sender="hr@contoso.test", mid="hr-1@contoso.test", qid="210030", cls="permanent", reason="emailtoolarge")
expect(m, n, "restricted@contoso.test", "bounced", code=550, enh="5.7.1", dsn="5.7.1", text="RESOLVER.RST.AuthRequired; authentication required", sender="hr@contoso.test", mid="hr-1@contoso.test", qid="210030", cls="permanent", reason="securityerror")
n = t13(date_time="2026-11-23T12:00:00.310Z", source="ROUTING", event_id="FAIL", internal_message_id="210030", message_id="<hr-1@contoso.test>", network_message_id="9a1b2c3d-0030-4e00-8000-08de2b000030", recipient_address="x400@contoso.test", recipient_status="550 5.4.4 ROUTING.NoConnectorForAddressType; unable to route for address type", total_bytes="31457280", recipient_count="1", message_subject="Scans, part 1", **C)
expect(m, n, "x400@contoso.test", "bounced", code=550, enh="5.4.4", dsn="5.4.4", text="ROUTING.NoConnectorForAddressType; unable to route for address type", sender="hr@contoso.test", mid="hr-1@contoso.test", qid="210030", cls="permanent", reason="hostunknown")

D = dict(sender_address="sales@contoso.test", return_path="sales@contoso.test", directionality="Originating")
n = t13(date_time="2026-11-23T13:00:00.000Z", server_ip="52.101.40.10", server_hostname="northwind-example.mail.protection.outlook.com", connector_id="Outbound to Internet", source="SMTP", event_id="FAIL", internal_message_id="210040", message_id="<q-9@contoso.test>", network_message_id="9a1b2c3d-0040-4e00-8000-08de2b000040", recipient_address="buyer@northwind.example", recipient_status='[{LRT=};{LED=550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP. For more information please go to http://go.microsoft.com/fwlink/?LinkId=526653 AS(2600)};{FQDN=northwind-example.mail.protection.outlook.com};{IP=52.101.40.10}]', total_bytes="4096", recipient_count="1", message_subject="Quote 9", **D)
expect(m, n, "buyer@northwind.example", "bounced", code=550, enh="5.7.708", dsn="5.7.708", text="Service unavailable. Access denied, traffic not accepted from this IP. For more information please go to http://go.microsoft.com/fwlink/?LinkId=526653 AS(2600)", relay="northwind-example.mail.protection.outlook.com", ip="52.101.40.10", sender="sales@contoso.test", mid="q-9@contoso.test", qid="210040", cls="permanent", reason="blocked")
n = t13(date_time="2026-11-23T13:10:00.000Z", server_ip="52.101.40.10", server_hostname="northwind-example.mail.protection.outlook.com", connector_id="Outbound to Internet", source="SMTP", event_id="FAIL", internal_message_id="210041", message_id="<q-10@contoso.test>", network_message_id="9a1b2c3d-0041-4e00-8000-08de2b000041", recipient_address="buyer@northwind.example", recipient_status="550 5.7.750 Service unavailable. Client blocked from sending from unregistered domains", total_bytes="4096", recipient_count="1", message_subject="Quote 10", **D)
expect(m, n, "buyer@northwind.example", "bounced", code=550, enh="5.7.750", dsn="5.7.750", text="Service unavailable. Client blocked from sending from unregistered domains", relay="northwind-example.mail.protection.outlook.com", ip="52.101.40.10", sender="sales@contoso.test", mid="q-10@contoso.test", qid="210041", cls="permanent", reason="blocked")
n = t13(date_time="2026-11-23T13:20:00.000Z", source="SMTP", event_id="FAIL", connector_id="Outbound to Internet", internal_message_id="210042", message_id="<q-11@contoso.test>", network_message_id="9a1b2c3d-0042-4e00-8000-08de2b000042", recipient_address="info@fabrikam.example", recipient_status="550 5.4.300 Message expired", total_bytes="4096", recipient_count="1", message_subject="Quote 11", **D)
expect(m, n, "info@fabrikam.example", "expired", code=550, enh="5.4.300", dsn="5.4.300", text="Message expired", sender="sales@contoso.test", mid="q-11@contoso.test", qid="210042", cls="permanent", reason="expired")
n = t13(date_time="2026-11-23T13:30:00.000Z", source="SMTP", event_id="FAIL", connector_id="Outbound to Internet", internal_message_id="210043", message_id="<q-12@contoso.test>", network_message_id="9a1b2c3d-0043-4e00-8000-08de2b000043", recipient_address="nobody@nonexistent.example", recipient_status="550 5.4.310 DNS domain nonexistent.example does not exist [Message=InfoDomainNonexistent] [LastAttemptedServerName=nonexistent.example]", total_bytes="4096", recipient_count="1", message_subject="Quote 12", **D)
expect(m, n, "nobody@nonexistent.example", "bounced", code=550, enh="5.4.310", dsn="5.4.310", text="DNS domain nonexistent.example does not exist [Message=InfoDomainNonexistent] [LastAttemptedServerName=nonexistent.example]", sender="sales@contoso.test", mid="q-12@contoso.test", qid="210043", cls="permanent", reason="hostunknown")

# agent drop, poison, badmail, submission deferral
n = t13(date_time="2026-11-23T14:00:00.000Z", source="AGENT", source_context="Content Filter Agent", event_id="DROP", internal_message_id="210050", message_id="<spam-3@lottery.example>", network_message_id="9a1b2c3d-0050-4e00-8000-08de2b000050", recipient_address="dana@contoso.test", recipient_status="550 5.7.1 Message rejected due to content restrictions", total_bytes="2048", recipient_count="1", message_subject="You won", sender_address="win@lottery.example", return_path="win@lottery.example", directionality="Incoming")
expect(m, n, "dana@contoso.test", "discarded", code=550, enh="5.7.1", dsn="5.7.1", text="Message rejected due to content restrictions", sender="win@lottery.example", mid="spam-3@lottery.example", qid="210050", cls="permanent", reason="discarded", note="DROP: no NDR sent")
n = t13(date_time="2026-11-23T14:10:00.000Z", source="POISONMESSAGE", event_id="POISONMESSAGE", internal_message_id="210051", message_id="<crash-1@tailspin.example>", network_message_id="9a1b2c3d-0051-4e00-8000-08de2b000051", recipient_address="sam@contoso.test", total_bytes="90000", recipient_count="1", message_subject="Report", sender_address="ops@tailspin.example", return_path="ops@tailspin.example", directionality="Incoming")
expect(m, n, "sam@contoso.test", "held", sender="ops@tailspin.example", mid="crash-1@tailspin.example", qid="210051", cls="", reason="", note="verdict not checked: no reply at all")
n = t13(date_time="2026-11-23T14:20:00.000Z", source="PICKUP", event_id="BADMAIL", internal_message_id="210052", message_id="<pickup-1@contoso.test>", network_message_id="9a1b2c3d-0052-4e00-8000-08de2b000052", recipient_address="sam@contoso.test", total_bytes="512", recipient_count="1", message_subject="Pickup test", sender_address="app@contoso.test", return_path="app@contoso.test", directionality="Originating")
expect(m, n, "sam@contoso.test", "discarded", sender="app@contoso.test", mid="pickup-1@contoso.test", qid="210052", cls="", reason="", note="verdict not checked: no reply at all")
n = t13(date_time="2026-11-23T14:30:00.000Z", client_ip="10.0.0.31", client_hostname="MBX01", source="STOREDRIVER", event_id="SUBMITDEFER", source_context="MDB:5b1c1e8a-0000-4000-8000-000000000001, Mailbox:1f2e3d4c-0000-4000-8000-000000000002, Event:88500, MessageClass:IPM.Note", internal_message_id="0", message_id="<sub-1@MBX01.contoso.test>", network_message_id="9a1b2c3d-0053-4e00-8000-08de2b000053", recipient_address="pat@fabrikam.example", recipient_status="432 4.3.2 STOREDRV.Submit; mailbox database thread limit exceeded", total_bytes="1024", recipient_count="1", message_subject="Status", **A)
expect(m, n, "pat@fabrikam.example", "deferred", code=432, enh="4.3.2", dsn="4.3.2", text="STOREDRV.Submit; mailbox database thread limit exceeded", sender="alice@contoso.test", mid="sub-1@MBX01.contoso.test", qid="0", cls="transient", reason="notaccept")
m.write()

# ---------------------------------------------------------------- tracking 2010
m2 = F("MSGTRK20101123-1.LOG")
header(m2, "Message Tracking Log", T2010, version="14.03.0468.000")
E = dict(sender_address="ceo@contoso.test", return_path="ceo@contoso.test")
m2.add(trk(T2010, date_time="2026-11-23T15:00:00.000Z", client_ip="10.0.0.40", client_hostname="EX2010", server_ip="10.0.0.40", server_hostname="EX2010", source_context="MDB:aa11bb22-0000-4000-8000-000000000001", source="STOREDRIVER", event_id="RECEIVE", internal_message_id="9001", message_id="<old-1@EX2010.contoso.test>", recipient_address="one@partner.example;two@partner.example;three@partner.example", recipient_status="To;To;To", total_bytes="7000", recipient_count="3", message_subject="Board, \"confidential\"", **E))
n = m2.add(trk(T2010, date_time="2026-11-23T15:00:03.000Z", client_ip="10.0.0.40", client_hostname="EX2010.contoso.test", server_ip="198.51.100.60", server_hostname="smtp.partner.example", source_context="08CD11AA22BB33CC;250 2.0.0 Ok: queued as 7A7B", connector_id="Internet", source="SMTP", event_id="SEND", internal_message_id="9001", message_id="<old-1@EX2010.contoso.test>", recipient_address="one@partner.example", recipient_status="250 2.1.5 Ok", total_bytes="7210", recipient_count="1", message_subject="Board, \"confidential\"", **E))
expect(m2, n, "one@partner.example", "sent", code=250, enh="2.1.5", dsn="2.1.5", text="Ok", relay="smtp.partner.example", ip="198.51.100.60", sender="ceo@contoso.test", mid="old-1@EX2010.contoso.test", qid="9001", cls="success", reason="delivered")
n = m2.add(trk(T2010, date_time="2026-11-23T15:00:03.100Z", server_ip="198.51.100.60", server_hostname="smtp.partner.example", connector_id="Internet", source="SMTP", event_id="FAIL", internal_message_id="9001", message_id="<old-1@EX2010.contoso.test>", recipient_address="two@partner.example;three@partner.example", recipient_status="550 5.1.1 <two@partner.example>: Recipient address rejected: User unknown;552 5.2.2 <three@partner.example>: Mailbox full, quota exceeded", total_bytes="7210", recipient_count="2", message_subject="Board, \"confidential\"", **E))
expect(m2, n, "two@partner.example", "bounced", code=550, enh="5.1.1", dsn="5.1.1", text="<two@partner.example>: Recipient address rejected: User unknown", relay="smtp.partner.example", ip="198.51.100.60", sender="ceo@contoso.test", mid="old-1@EX2010.contoso.test", qid="9001", cls="permanent", reason="userunknown")
expect(m2, n, "three@partner.example", "bounced", code=552, enh="5.2.2", dsn="5.2.2", text="<three@partner.example>: Mailbox full, quota exceeded", relay="smtp.partner.example", ip="198.51.100.60", sender="ceo@contoso.test", mid="old-1@EX2010.contoso.test", qid="9001", cls="permanent", reason="mailboxfull")
m2.write()

# ---------------------------------------------------------------- connectivity log
c = F("CONNECTLOG20261123-1.LOG")
header(c, "Transport Connectivity Log", "date-time,session,source,Destination,direction,description".split(","), version="15.0.0.0")
c.add("2026-11-23T10:05:00.010Z,08DE2B11C0A80009,SMTP,wingtip.example,+,Outbound to Internet 5d3a8f30-0000-4000-8000-000000000001;QueueLength=TQL=1;Q=1;")
c.add("2026-11-23T10:05:00.020Z,08DE2B11C0A80009,SMTP,wingtip.example,>,DNS resolved to: [mx.wingtip.example: 192.0.2.45]")
c.add("2026-11-23T10:05:21.030Z,08DE2B11C0A80009,SMTP,wingtip.example,>,Failed connection to 192.0.2.45:25 (TimedOut:0000274C)[LocalEndpoint=10.0.0.31:0]")
c.add("2026-11-23T10:05:21.040Z,08DE2B11C0A80009,SMTP,wingtip.example,-,Messages: 0 Bytes: 0 (Retry : Failed to connect. Winsock error code: 10060)")
c.add("2026-11-23T08:00:00.500Z,08DE2B11C0A8000A,SMTP,fabrikam.example,+,Outbound to Internet 5d3a8f30-0000-4000-8000-000000000001;QueueLength=TQL=1;Q=1;")
c.add("2026-11-23T08:00:02.950Z,08DE2B11C0A8000A,SMTP,fabrikam.example,-,Messages: 1 Bytes: 18544 (Queue Empty)")
c.write()

# ---------------------------------------------------------------- agent log
ag = F("AGENTLOG20261123-1.LOG")
AGF = "Timestamp,SessionId,LocalEndpoint,RemoteEndpoint,EnteredOrgFromIP,MessageId,P1FromAddress,P2FromAddresses,Recipient,NumRecipients,Agent,Event,Action,SmtpResponse,Reason,ReasonData,Diagnostics,NetworkMsgID,TenantID,Directionality".split(",")
header(ag, "Agent Log", AGF, version="15.02.1544.004")
def agr(**kv):
    return ag.add(row([kv.get(k, "") for k in AGF]))
agr(Timestamp="2026-11-23T16:00:00.100Z", SessionId="08DE2B11C0A80101", LocalEndpoint="10.0.0.31:25", RemoteEndpoint="203.0.113.99:51000", EnteredOrgFromIP="203.0.113.99", MessageId="<ok-1@sender.example>", P1FromAddress="a@sender.example", P2FromAddresses="a@sender.example;", Recipient="dana@contoso.test", NumRecipients="1", Agent="Content Filter Agent", Event="OnEndOfData", Action="AcceptMessage", Reason="SCL", ReasonData="0", NetworkMsgID="9a1b2c3d-0101-4e00-8000-08de2b000101", Directionality="Incoming")
n = agr(Timestamp="2026-11-23T16:01:00.100Z", SessionId="08DE2B11C0A80102", LocalEndpoint="10.0.0.31:25", RemoteEndpoint="203.0.113.98:51001", EnteredOrgFromIP="203.0.113.98", MessageId="<spam-9@bulk.example>", P1FromAddress="promo@bulk.example", P2FromAddresses="promo@bulk.example;", Recipient="dana@contoso.test", NumRecipients="1", Agent="Content Filter Agent", Event="OnEndOfData", Action="RejectMessage", SmtpResponse="550 5.7.1 Message rejected as spam by Content Filtering.", Reason="SclAtOrAboveRejectThreshold", ReasonData="7", Diagnostics="DV:3.3.16631.866", NetworkMsgID="9a1b2c3d-0102-4e00-8000-08de2b000102", Directionality="Incoming")
expect(ag, n, "dana@contoso.test", "rejected", stage="eod", code=550, enh="5.7.1", text="Message rejected as spam by Content Filtering.", ip="203.0.113.98", sender="promo@bulk.example", mid="spam-9@bulk.example", cls="permanent", reason="spamdetected")
n = agr(Timestamp="2026-11-23T16:02:00.100Z", SessionId="08DE2B11C0A80103", LocalEndpoint="10.0.0.31:25", RemoteEndpoint="203.0.113.97:51002", EnteredOrgFromIP="203.0.113.97", P1FromAddress="x@guess.example", Recipient="nosuch@contoso.test", NumRecipients="1", Agent="Recipient Filter Agent", Event="OnRcptCommand", Action="RejectCommand", SmtpResponse="550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup", Reason="RecipientDoesNotExist", Directionality="Incoming")
expect(ag, n, "nosuch@contoso.test", "rejected", stage="rcpt", code=550, enh="5.1.10", text="RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup", ip="203.0.113.97", sender="x@guess.example", cls="permanent", reason="userunknown")
n = agr(Timestamp="2026-11-23T16:03:00.100Z", SessionId="08DE2B11C0A80104", LocalEndpoint="10.0.0.31:25", RemoteEndpoint="203.0.113.96:51003", EnteredOrgFromIP="203.0.113.96", P1FromAddress="blocked@bad.example", Agent="Sender Filter Agent", Event="OnMailCommand", Action="RejectCommand", SmtpResponse="554 5.1.0 Sender denied", Reason="BlockedSender", ReasonData="blocked@bad.example", Directionality="Incoming")
expect(ag, n, "", "rejected", stage="mail", code=554, enh="5.1.0", text="Sender denied", ip="203.0.113.96", sender="blocked@bad.example", cls="permanent", reason="rejected")
n = agr(Timestamp="2026-11-23T16:04:00.100Z", SessionId="08DE2B11C0A80105", LocalEndpoint="10.0.0.31:25", RemoteEndpoint="192.0.2.200:51004", EnteredOrgFromIP="192.0.2.200", Agent="Connection Filtering Agent", Event="OnRcptCommand", Action="RejectCommand", P1FromAddress="m@listed.example", Recipient="sam@contoso.test", NumRecipients="1", SmtpResponse="550 5.7.1 Recipient not authorized, your IP has been found on a block list", Reason="BlockListProvider", ReasonData="zen.dnsbl.example", Directionality="Incoming")
expect(ag, n, "sam@contoso.test", "rejected", stage="rcpt", code=550, enh="5.7.1", text="Recipient not authorized, your IP has been found on a block list", ip="192.0.2.200", sender="m@listed.example", cls="permanent", reason="blocked")
n = agr(Timestamp="2026-11-23T16:05:00.100Z", SessionId="08DE2B11C0A80106", LocalEndpoint="10.0.0.31:25", RemoteEndpoint="203.0.113.95:51005", EnteredOrgFromIP="203.0.113.95", MessageId="<junk-2@bulk.example>", P1FromAddress="promo@bulk.example", P2FromAddresses="promo@bulk.example;", Recipient="dana@contoso.test;sam@contoso.test", NumRecipients="2", Agent="Content Filter Agent", Event="OnEndOfData", Action="DeleteMessage", Reason="SclAtOrAboveDeleteThreshold", ReasonData="9", Directionality="Incoming")
for r in ("dana@contoso.test", "sam@contoso.test"):
    expect(ag, n, r, "discarded", ip="203.0.113.95", sender="promo@bulk.example", mid="junk-2@bulk.example", text="SclAtOrAboveDeleteThreshold 9", cls="", reason="", note="verdict not checked")
n = agr(Timestamp="2026-11-23T16:06:00.100Z", SessionId="08DE2B11C0A80107", LocalEndpoint="10.0.0.31:25", RemoteEndpoint="203.0.113.94:51006", EnteredOrgFromIP="203.0.113.94", MessageId="<junk-3@bulk.example>", P1FromAddress="promo@bulk.example", P2FromAddresses="promo@bulk.example;", Recipient="sam@contoso.test", NumRecipients="1", Agent="Content Filter Agent", Event="OnEndOfData", Action="QuarantineMessage", Reason="SclAtOrAboveQuarantineThreshold", ReasonData="8", Directionality="Incoming")
expect(ag, n, "sam@contoso.test", "held", ip="203.0.113.94", sender="promo@bulk.example", mid="junk-3@bulk.example", text="SclAtOrAboveQuarantineThreshold 8", cls="", reason="", note="verdict not checked")
ag.write()

# ---------------------------------------------------------------- Get-MessageTrace | Export-Csv
mt = F("GetMessageTrace.csv")
mt.add('#TYPE Deserialized.Microsoft.Exchange.Management.FfoReporting.MessageTrace')
MTC = ["PSComputerName","RunspaceId","PSShowComputerName","Organization","MessageId","Received","SenderAddress","RecipientAddress","Subject","Status","ToIP","FromIP","Size","MessageTraceId","StartDate","EndDate","Index"]
mt.add(",".join('"%s"' % c for c in MTC))
def mtr(recv, snd, rcpt, subj, status, toip, fromip, size, mid, tid, idx):
    vals = ["outlook.office365.com", "0f0e0d0c-0000-4000-8000-0000000000aa", "False", "contoso.onmicrosoft.com", mid, recv, snd, rcpt, subj, status, toip, fromip, size, tid, "11/21/2026 12:00:00 AM", "11/23/2026 11:59:59 PM", idx]
    return mt.add(",".join('"%s"' % v.replace('"', '""') for v in vals))
rows = [
 ("11/23/2026 7:15:30 AM", "alice@contoso.onmicrosoft.com", "pat@fabrikam.example", "Plan, v2", "Delivered", "203.0.113.25", "10.1.0.4", "20480", "<m1@contoso.onmicrosoft.com>", "5c1d0000-0000-4000-8000-000000000001", "0"),
 ("11/23/2026 7:16:30 AM", "alice@contoso.onmicrosoft.com", "gone@fabrikam.example", "Plan, v2", "Failed", "203.0.113.25", "10.1.0.4", "20480", "<m2@contoso.onmicrosoft.com>", "5c1d0000-0000-4000-8000-000000000002", "1"),
 ("11/23/2026 7:17:30 AM", "alice@contoso.onmicrosoft.com", "slow@tailspin.example", 'Re: "urgent"', "Pending", "", "10.1.0.4", "4096", "<m3@contoso.onmicrosoft.com>", "5c1d0000-0000-4000-8000-000000000003", "2"),
 ("11/23/2026 7:18:30 AM", "alice@contoso.onmicrosoft.com", "team@contoso.onmicrosoft.com", "Standup", "Expanded", "", "10.1.0.4", "4096", "<m4@contoso.onmicrosoft.com>", "5c1d0000-0000-4000-8000-000000000004", "3"),
 ("11/23/2026 1:19:30 PM", "prize@lucky.example", "dana@contoso.onmicrosoft.com", "Claim now", "FilteredAsSpam", "", "192.0.2.77", "3000", "<s1@lucky.example>", "5c1d0000-0000-4000-8000-000000000005", "4"),
 ("11/23/2026 1:20:30 PM", "it@phish.example", "sam@contoso.onmicrosoft.com", "Password expires", "Quarantined", "", "192.0.2.78", "3500", "<p1@phish.example>", "5c1d0000-0000-4000-8000-000000000006", "5"),
 ("11/23/2026 1:21:30 PM", "alice@contoso.onmicrosoft.com", "lee@fabrikam.example", "Now", "GettingStatus", "", "10.1.0.4", "1000", "<m7@contoso.onmicrosoft.com>", "5c1d0000-0000-4000-8000-000000000007", "6"),
 ("11/23/2026 1:22:30 PM", "alice@contoso.onmicrosoft.com", "moved@contoso.onmicrosoft.com", "Now", "None", "", "10.1.0.4", "1000", "<m8@contoso.onmicrosoft.com>", "5c1d0000-0000-4000-8000-000000000008", "7"),
]
EXP = {
 "Delivered": ("sent", dict(code=250, cls="success", reason="delivered")),
 "Failed": ("bounced", dict(cls="permanent", reason="", note="Failed without a detail: reason undetermined, not checked")),
 "Pending": ("deferred", dict(cls="transient", reason="", note="no detail: reason not checked")),
 "FilteredAsSpam": ("rejected", dict(text="message marked as spam by the receiving system (FilteredAsSpam)", cls="permanent", reason="spamdetected")),
 "Quarantined": ("rejected", dict(text="message quarantined: rejected by policy of the receiving system (Quarantined)", cls="permanent", reason="policyviolation")),
 "GettingStatus": ("pending", dict(cls="", reason="", note="verdict not checked")),
}
for r in rows:
    n = mtr(*r)
    if r[4] in EXP:
        st, kw = EXP[r[4]]
        kw = dict(kw)
        expect(mt, n, r[2], st, ip=r[5], sender=r[1], mid=r[8][1:-1], qid=r[9], **kw)
mt.write()

# Get-MessageTraceV2 | Export-Csv -NoTypeInformation (UTF-8 BOM, ISO stamps in UTC)
v2 = F("GetMessageTraceV2.csv", bom=True)
V2C = ["Received","SenderAddress","RecipientAddress","Subject","Status","ToIP","FromIP","Size","MessageId","MessageTraceId"]
v2.add(",".join('"%s"' % c for c in V2C))
for r in [("2026-11-23T07:15:30.1234567Z", "bob@contoso.onmicrosoft.com", "pat@fabrikam.example", "Hi", "Delivered", "203.0.113.25", "", "5120", "<v1@contoso.onmicrosoft.com>", "6d2e0000-0000-4000-8000-000000000001"),
          ("2026-11-23T07:16:30.0000000Z", "bob@contoso.onmicrosoft.com", "slow@tailspin.example", "Hi", "Pending", "", "", "5120", "<v2@contoso.onmicrosoft.com>", "6d2e0000-0000-4000-8000-000000000002")]:
    n = v2.add(",".join('"%s"' % v for v in r))
    st, kw = EXP[r[4]]
    expect(v2, n, r[2], st, ip=r[5], sender=r[1], mid=r[8][1:-1], qid=r[9], **kw)
v2.write()

# Get-MessageTraceDetail | Select Date,MessageId,MessageTraceId,Event,Action,Detail,Data | Export-Csv
d = F("GetMessageTraceDetail.csv")
d.add('"Date","MessageId","MessageTraceId","Event","Action","Detail","Data"')
def dr(date, ev, action, detail, data=""):
    vals = [date, "<m2@contoso.onmicrosoft.com>", "5c1d0000-0000-4000-8000-000000000002", ev, action, detail, data]
    return d.add(",".join('"%s"' % v.replace('"', '""') for v in vals))
dr("11/23/2026 7:16:30 AM", "Receive", "", "Message received by: AM0PR01MB1234.eurprd01.prod.exchangelabs.com using TLS1.2 with AES256", '<root><MEP Name="ConnectorId" String="AM0PR01MB1234\\Client Submission"/></root>')
n = dr("11/23/2026 7:16:40 AM", "Defer", "", "Reason: [{LED=451 4.7.500 Server busy. Please try again later from [40.107.0.1]. (S77719) [AM0PR01MB1234.eurprd01.prod.exchangelabs.com]};{MSG=};{FQDN=mx.fabrikam.example};{IP=203.0.113.25};{LRT=11/23/2026 7:16:39 AM}]. OutboundProxyTargetIP: 203.0.113.25. OutboundProxyTargetHostName: mx.fabrikam.example")
expect(d, n, "", "deferred", code=451, enh="4.7.500", dsn="4.7.500", text="Server busy. Please try again later from [40.107.0.1]. (S77719) [AM0PR01MB1234.eurprd01.prod.exchangelabs.com]", relay="mx.fabrikam.example", ip="203.0.113.25", mid="m2@contoso.onmicrosoft.com", qid="5c1d0000-0000-4000-8000-000000000002", cls="transient", reason="", note="no recipient column in this export; reason not checked")
n = dr("11/23/2026 7:26:40 AM", "Fail", "", "Reason: [{LED=550 5.1.1 <gone@fabrikam.example>: Recipient address rejected: User unknown in relay recipient table};{MSG=};{FQDN=mx.fabrikam.example};{IP=203.0.113.25};{LRT=}]. OutboundProxyTargetIP: 203.0.113.25. OutboundProxyTargetHostName: mx.fabrikam.example")
expect(d, n, "", "bounced", code=550, enh="5.1.1", dsn="5.1.1", text="<gone@fabrikam.example>: Recipient address rejected: User unknown in relay recipient table", relay="mx.fabrikam.example", ip="203.0.113.25", mid="m2@contoso.onmicrosoft.com", qid="5c1d0000-0000-4000-8000-000000000002", cls="permanent", reason="userunknown")
dr("11/23/2026 7:26:41 AM", "Transport rule", "", "Transport rule: 'Disclaimer', rule ID: 3c2b1a00-0000-4000-8000-000000000009, policy: '' ")
d.write()

# ---------------------------------------------------------------- admin center: enhanced summary (UTF-16) and extended report
es = F("MTSummary_Report_contoso.csv", enc="utf-16-le")
ESC = ["origin_timestamp_utc","sender_address","recipient_status","message_subject","total_bytes","message_id","network_message_id","original_client_ip","directionality","connector_id","delivery_priority"]
es.add(",".join('"%s"' % c for c in ESC))
n = es.add(row(["2026-11-23T07:15:30.2000000Z", "alice@contoso.onmicrosoft.com", "pat@fabrikam.example##Receive, Send;gone@fabrikam.example##Receive, Fail;slow@tailspin.example##Receive, Defer", "Plan, v2", "20480", "<m9@contoso.onmicrosoft.com>", "7e3f0000-0000-4000-8000-000000000009", "10.1.0.4", "Originating", "", "Normal"]))
expect(es, n, "pat@fabrikam.example", "sent", code=250, sender="alice@contoso.onmicrosoft.com", mid="m9@contoso.onmicrosoft.com", qid="7e3f0000-0000-4000-8000-000000000009", cls="success", reason="delivered")
expect(es, n, "gone@fabrikam.example", "bounced", sender="alice@contoso.onmicrosoft.com", mid="m9@contoso.onmicrosoft.com", qid="7e3f0000-0000-4000-8000-000000000009", cls="permanent", reason="", note="no text: reason not checked")
expect(es, n, "slow@tailspin.example", "deferred", sender="alice@contoso.onmicrosoft.com", mid="m9@contoso.onmicrosoft.com", qid="7e3f0000-0000-4000-8000-000000000009", cls="transient", reason="", note="no text: reason not checked")
n = es.add(row(["2026-11-23T08:15:30.2000000Z", "ext@tailspin.example", "dana@contoso.onmicrosoft.com##Receive, Deliver", "Hello", "1000", "<t1@tailspin.example>", "7e3f0000-0000-4000-8000-000000000010", "198.51.100.80", "Incoming", "", "Normal"]))
expect(es, n, "dana@contoso.onmicrosoft.com", "sent", code=250, sender="ext@tailspin.example", mid="t1@tailspin.example", qid="7e3f0000-0000-4000-8000-000000000010", cls="success", reason="delivered")
es.write()

# modern EAC enhanced summary with origin_timestamp (no _utc) and UTF-8 BOM
es2 = F("EnhancedSummary_Report.csv", bom=True)
ESC2 = ["origin_timestamp","sender_address","Recipient_status","message_subject","total_bytes","message_id","network_message_id","original_client_ip","directionality","connector_id","delivery_priority"]
es2.add(",".join(ESC2))
n = es2.add(row(["2026-11-23T09:15:30.0000000Z", "alice@contoso.onmicrosoft.com", "lee@fabrikam.example##Receive, Send", "Note", "900", "<m10@contoso.onmicrosoft.com>", "7e3f0000-0000-4000-8000-000000000011", "10.1.0.4", "2", "Outbound to Internet", "High"]))
expect(es2, n, "lee@fabrikam.example", "sent", code=250, sender="alice@contoso.onmicrosoft.com", mid="m10@contoso.onmicrosoft.com", qid="7e3f0000-0000-4000-8000-000000000011", cls="success", reason="delivered")
es2.write()

ex = F("MTDetail_Report_contoso.csv", enc="utf-16-le")
EXC = ["date_time_utc","client_ip","client_hostname","server_ip","server_hostname","source_context","connector_id","source","event_id","internal_message_id","message_id","network_message_id","recipient_address","recipient_status","total_bytes","recipient_count","related_recipient_address","reference","message_subject","sender_address","return_path","message_info","directionality","tenant_id","original_client_ip","original_server_ip","custom_data"]
ex.add(",".join('"%s"' % c for c in EXC))
def exr(**kv):
    return ex.add(",".join('"%s"' % kv.get(k, "").replace('"', '""') for k in EXC))
exr(date_time_utc="2026-11-23T07:15:30.3000000Z", client_ip="10.1.0.4", client_hostname="AM0PR01MB1234.eurprd01.prod.exchangelabs.com", source="SMTP", event_id="RECEIVE", internal_message_id="55100", message_id="<m9@contoso.onmicrosoft.com>", network_message_id="7e3f0000-0000-4000-8000-000000000009", recipient_address="pat@fabrikam.example;gone@fabrikam.example", recipient_status="To;To", total_bytes="20480", recipient_count="2", message_subject="Plan, v2", sender_address="alice@contoso.onmicrosoft.com", return_path="alice@contoso.onmicrosoft.com", directionality="Originating", tenant_id="39238e87-b5ab-4ef6-a559-af54c6b07b42")
n = exr(date_time_utc="2026-11-23T07:15:33.3000000Z", server_ip="203.0.113.25", server_hostname="mx.fabrikam.example", connector_id="Outbound to Internet", source="SMTP", event_id="SEND", internal_message_id="55100", message_id="<m9@contoso.onmicrosoft.com>", network_message_id="7e3f0000-0000-4000-8000-000000000009", recipient_address="pat@fabrikam.example", recipient_status="250 2.6.0 <m9@contoso.onmicrosoft.com> Queued mail for delivery", total_bytes="20720", recipient_count="1", message_subject="Plan, v2", sender_address="alice@contoso.onmicrosoft.com", return_path="alice@contoso.onmicrosoft.com", directionality="Originating", tenant_id="39238e87-b5ab-4ef6-a559-af54c6b07b42")
expect(ex, n, "pat@fabrikam.example", "sent", code=250, enh="2.6.0", dsn="2.6.0", text="<m9@contoso.onmicrosoft.com> Queued mail for delivery", relay="mx.fabrikam.example", ip="203.0.113.25", sender="alice@contoso.onmicrosoft.com", mid="m9@contoso.onmicrosoft.com", qid="55100", cls="success", reason="delivered")
n = exr(date_time_utc="2026-11-23T07:15:34.3000000Z", server_ip="203.0.113.25", server_hostname="mx.fabrikam.example", connector_id="Outbound to Internet", source="SMTP", event_id="FAIL", internal_message_id="55100", message_id="<m9@contoso.onmicrosoft.com>", network_message_id="7e3f0000-0000-4000-8000-000000000009", recipient_address="gone@fabrikam.example", recipient_status='[{LRT=};{LED=550 5.1.1 <gone@fabrikam.example>: Recipient address rejected: User unknown};{FQDN=mx.fabrikam.example};{IP=203.0.113.25}]', total_bytes="20720", recipient_count="1", message_subject="Plan, v2", sender_address="alice@contoso.onmicrosoft.com", return_path="alice@contoso.onmicrosoft.com", directionality="Originating", tenant_id="39238e87-b5ab-4ef6-a559-af54c6b07b42")
n2 = exr(date_time_utc="2026-11-23T07:20:00.0000000Z", server_ip="192.0.2.45", server_hostname="mx.wingtip.example", connector_id="Outbound to Internet", source="SMTP", event_id="Defer", internal_message_id="55101", message_id="<m11@contoso.onmicrosoft.com>", network_message_id="7e3f0000-0000-4000-8000-000000000012", recipient_address="ap@wingtip.example", recipient_status='[{LRT=};{LED=450 4.7.26 Unauthenticated email from contoso.onmicrosoft.com is not accepted due to domain\'s DMARC policy};{FQDN=mx.wingtip.example};{IP=192.0.2.45}]', total_bytes="700", recipient_count="1", message_subject="Hi", sender_address="alice@contoso.onmicrosoft.com", return_path="alice@contoso.onmicrosoft.com", directionality="Originating")
expect(ex, n2, "ap@wingtip.example", "deferred", code=450, enh="4.7.26", dsn="4.7.26", text="Unauthenticated email from contoso.onmicrosoft.com is not accepted due to domain's DMARC policy", relay="mx.wingtip.example", ip="192.0.2.45", sender="alice@contoso.onmicrosoft.com", mid="m11@contoso.onmicrosoft.com", qid="55101", cls="transient", reason="", note="event_id in mixed case")
expect(ex, n, "gone@fabrikam.example", "bounced", code=550, enh="5.1.1", dsn="5.1.1", text="<gone@fabrikam.example>: Recipient address rejected: User unknown", relay="mx.fabrikam.example", ip="203.0.113.25", sender="alice@contoso.onmicrosoft.com", mid="m9@contoso.onmicrosoft.com", qid="55100", cls="permanent", reason="userunknown")
ex.write()

# modern EAC "Export results" of the summary view (Date, Sender, Recipient, Subject, Status)
ea = F("ExportedMessageTrace.csv", bom=True)
ea.add('Date (UTC),Sender,Recipient,Subject,Status')
n = ea.add(row(["11/23/2026 7:15:30 AM", "alice@contoso.onmicrosoft.com", "pat@fabrikam.example", "Plan, v2", "Delivered"]))
expect(ea, n, "pat@fabrikam.example", "sent", code=250, sender="alice@contoso.onmicrosoft.com", cls="success", reason="delivered")
n = ea.add(row(["11/23/2026 7:16:30 AM", "alice@contoso.onmicrosoft.com", "gone@fabrikam.example", "Plan, v2", "Failed"]))
expect(ea, n, "gone@fabrikam.example", "bounced", sender="alice@contoso.onmicrosoft.com", cls="permanent", reason="", note="no text: reason not checked")
ea.write()


# ---------------------------------------------------------------- intra-org hand-off and context-only events (2013+ layout, MSGTRK + MSGTRKMD rows in one file)
h = F("MSGTRKMD20261124-1.LOG")
header(h, "Message Tracking Log", T2013, date="2026-11-24T00:00:00.000Z")
def th(**kv):
    kv.setdefault("schema_version", V); kv.setdefault("transport_traffic_type", "Email")
    return h.add(trk(T2013, **kv))
HS = dict(sender_address="ext@tailspin.example", return_path="ext@tailspin.example", directionality="Incoming")
th(date_time="2026-11-24T06:00:00.000Z", client_ip="198.51.100.80", client_hostname="out.tailspin.example", server_ip="10.0.0.31", server_hostname="MBX01", connector_id="MBX01\\Default Frontend MBX01", source="SMTP", event_id="RECEIVE", internal_message_id="310001", message_id="<in-1@tailspin.example>", network_message_id="9a1b2c3d-1001-4e00-8000-08de2c000001", recipient_address="kim@contoso.test", recipient_status="To", total_bytes="3000", recipient_count="1", message_subject="Hello", **HS)
n = th(date_time="2026-11-24T06:00:00.400Z", client_ip="10.0.0.31", client_hostname="MBX01.contoso.test", server_ip="10.0.0.32", server_hostname="MBX02.contoso.test", source_context="08DE2C11C0A80001;250 2.0.0 OK;ClientSubmitTime:", connector_id="Intra-Organization SMTP Send Connector", source="SMTP", event_id="SEND", internal_message_id="310001", message_id="<in-1@tailspin.example>", network_message_id="9a1b2c3d-1001-4e00-8000-08de2c000001", recipient_address="kim@contoso.test", recipient_status="250 2.1.5 Recipient OK", total_bytes="3100", recipient_count="1", message_subject="Hello", **HS)
expect(h, n, "kim@contoso.test", "sent", code=250, enh="2.1.5", dsn="2.1.5", text="Recipient OK", relay="MBX02.contoso.test", ip="10.0.0.32", sender="ext@tailspin.example", mid="in-1@tailspin.example", qid="310001", hop="true", cls="success", reason="delivered", note="hand-off to the mailbox server: a hop")
for ev in ("HARECEIVE", "THROTTLE", "LOAD", "PROCESS", "RESUBMIT", "DELIVERFAIL", "MODERATORAPPROVE", "INITMESSAGECREATED", "HAREDIRECTFAIL", "CLIENTSUBMISSION", "NOTIFYSHADOW", "SUPPRESSED", "DUPLICATEEXPAND", "DUPLICATEREDIRECT", "PROCESSMEETINGMESSAGE"):
    th(date_time="2026-11-24T06:00:00.500Z", server_hostname="MBX02", source="SMTP", event_id=ev, internal_message_id="410001", message_id="<in-1@tailspin.example>", network_message_id="9a1b2c3d-1001-4e00-8000-08de2c000001", recipient_address="kim@contoso.test", total_bytes="3100", recipient_count="1", message_subject="Hello", **HS)
n = th(date_time="2026-11-24T06:00:01.000Z", client_ip="10.0.0.32", client_hostname="MBX02", server_ip="10.0.0.32", server_hostname="MBX02.contoso.test", source="STOREDRIVER", event_id="DELIVER", internal_message_id="410001", message_id="<in-1@tailspin.example>", network_message_id="9a1b2c3d-1001-4e00-8000-08de2c000001", recipient_address="kim@contoso.test", total_bytes="3100", recipient_count="1", message_subject="Hello", message_info="2026-11-24T06:00:00.000Z;SRV=MBX02.contoso.test:TOTAL-SUB=0.020", **HS)
expect(h, n, "kim@contoso.test", "sent", code=250, sender="ext@tailspin.example", mid="in-1@tailspin.example", qid="410001", cls="success", reason="delivered")
n = th(date_time="2026-11-24T07:00:00.000Z", server_hostname="MBX02", source="APPROVAL", event_id="MODERATORREJECT", internal_message_id="410002", message_id="<mod-1@tailspin.example>", network_message_id="9a1b2c3d-1002-4e00-8000-08de2c000002", recipient_address="board@contoso.test", recipient_status="550 5.2.1 APPROVAL.Rejected; the moderator rejected the message", total_bytes="3100", recipient_count="1", message_subject="Proposal", **HS)
expect(h, n, "board@contoso.test", "bounced", code=550, enh="5.2.1", dsn="5.2.1", text="APPROVAL.Rejected; the moderator rejected the message", sender="ext@tailspin.example", mid="mod-1@tailspin.example", qid="410002", cls="permanent", reason="", note="reason not checked")
h.write()

# ---------------------------------------------------------------- Get-MessageTrackingLog | Export-Csv (cmdlet field names, local en-US stamps)
g = F("Get-MessageTrackingLog.csv")
g.add("#TYPE Microsoft.Exchange.Management.TransportLogSearchTasks.MessageTrackingEvent")
GC = ["RunspaceId","Timestamp","ClientIp","ClientHostname","ServerIp","ServerHostname","SourceContext","ConnectorId","Source","EventId","InternalMessageId","MessageId","NetworkMessageId","Recipients","RecipientStatus","TotalBytes","RecipientCount","RelatedRecipientAddress","Reference","MessageSubject","Sender","ReturnPath","Directionality","TenantId","OriginalClientIp","MessageInfo","MessageLatency","MessageLatencyType","EventData"]
g.add(",".join('"%s"' % c for c in GC))
def gr(**kv):
    return g.add(",".join('"%s"' % kv.get(k, "").replace('"', '""') for k in GC))
n = gr(RunspaceId="0a0b0c0d-0000-4000-8000-000000000001", Timestamp="11/24/2026 9:30:05 AM", ClientIp="10.0.0.31", ClientHostname="MBX01.contoso.test", ServerIp="198.51.100.60", ServerHostname="smtp.partner.example", ConnectorId="Outbound to Internet", Source="SMTP", EventId="FAIL", InternalMessageId="510001", MessageId="<gm-1@contoso.test>", NetworkMessageId="9a1b2c3d-2001-4e00-8000-08de2d000001", Recipients="one@partner.example;two@partner.example", RecipientStatus="550 5.1.1 <one@partner.example>: Recipient address rejected: User unknown;550 5.7.1 <two@partner.example>: Relay access denied", TotalBytes="4000", RecipientCount="2", MessageSubject="Hi", Sender="ceo@contoso.test", ReturnPath="ceo@contoso.test", Directionality="Originating", MessageLatencyType="None", EventData="{[DeliveryPriority, Normal]}")
expect(g, n, "one@partner.example", "bounced", code=550, enh="5.1.1", dsn="5.1.1", text="<one@partner.example>: Recipient address rejected: User unknown", relay="smtp.partner.example", ip="198.51.100.60", sender="ceo@contoso.test", mid="gm-1@contoso.test", qid="510001", cls="permanent", reason="userunknown")
expect(g, n, "two@partner.example", "bounced", code=550, enh="5.7.1", dsn="5.7.1", text="<two@partner.example>: Relay access denied", relay="smtp.partner.example", ip="198.51.100.60", sender="ceo@contoso.test", mid="gm-1@contoso.test", qid="510001", cls="permanent", reason="norelaying")
n = gr(RunspaceId="0a0b0c0d-0000-4000-8000-000000000001", Timestamp="11/24/2026 1:45:00 PM", ServerHostname="MBX01", Source="STOREDRIVER", EventId="DELIVER", InternalMessageId="510002", MessageId="<x-2@partner.example>", NetworkMessageId="9a1b2c3d-2002-4e00-8000-08de2d000002", Recipients="ceo@contoso.test", TotalBytes="900", RecipientCount="1", MessageSubject="Re: Hi", Sender="one@partner.example", ReturnPath="one@partner.example", Directionality="Incoming", MessageLatency="00:00:01.2000000", MessageLatencyType="EndToEnd")
expect(g, n, "ceo@contoso.test", "sent", code=250, sender="one@partner.example", mid="x-2@partner.example", qid="510002", cls="success", reason="delivered")
n = gr(RunspaceId="0a0b0c0d-0000-4000-8000-000000000001", Timestamp="11/24/2026 1:50:00 PM", ServerHostname="MBX01", Source="SMTP", EventId="FAIL", InternalMessageId="510003", MessageId="<gm-3@contoso.test>", Recipients="System.String[]", RecipientStatus="System.String[]", TotalBytes="900", RecipientCount="1", MessageSubject="Unjoined", Sender="ceo@contoso.test", ReturnPath="ceo@contoso.test", Directionality="Originating")
UNPARSED.append((g.name, n))
g.write()

# ---------------------------------------------------------------- Get-MessageTraceDetail with RecipientAddress (Select-Object *), de-DE stamps
d2 = F("GetMessageTraceDetail-full.csv")
D2C = ["Organization","MessageId","MessageTraceId","RecipientAddress","SenderAddress","Date","Event","Action","Detail","Data"]
d2.add(",".join('"%s"' % c for c in D2C))
def d2r(date, rcpt, ev, detail):
    vals = ["contoso.onmicrosoft.com", "<m20@contoso.onmicrosoft.com>", "5c1d0000-0000-4000-8000-000000000020", rcpt, "alice@contoso.onmicrosoft.com", date, ev, "", detail, ""]
    return d2.add(",".join('"%s"' % v.replace('"', '""') for v in vals))
d2r("24.11.2026 08:00:00", "pat@fabrikam.example", "Receive", "Message received by: AM0PR01MB1234.eurprd01.prod.exchangelabs.com")
n = d2r("24.11.2026 08:00:02", "pat@fabrikam.example", "Send external", "Message sent to mx.fabrikam.example at 203.0.113.25 using TLS1.2 with AES256")
expect(d2, n, "pat@fabrikam.example", "sent", code=250, text="Message sent to mx.fabrikam.example at 203.0.113.25 using TLS1.2 with AES256", relay="mx.fabrikam.example", ip="203.0.113.25", sender="alice@contoso.onmicrosoft.com", mid="m20@contoso.onmicrosoft.com", qid="5c1d0000-0000-4000-8000-000000000020", cls="success", reason="delivered")
n = d2r("24.11.2026 08:00:03", "dana@contoso.onmicrosoft.com", "Deliver", "The message was successfully delivered.")
expect(d2, n, "dana@contoso.onmicrosoft.com", "sent", code=250, text="The message was successfully delivered.", sender="alice@contoso.onmicrosoft.com", mid="m20@contoso.onmicrosoft.com", qid="5c1d0000-0000-4000-8000-000000000020", cls="success", reason="delivered")
n = d2r("24.11.2026 08:00:04", "lee@fabrikam.example", "Drop", "Reason: [{LED=550 5.7.1 Message dropped by a transport rule};{MSG=};{FQDN=};{IP=};{LRT=}]")
expect(d2, n, "lee@fabrikam.example", "discarded", code=550, enh="5.7.1", dsn="5.7.1", text="Message dropped by a transport rule", sender="alice@contoso.onmicrosoft.com", mid="m20@contoso.onmicrosoft.com", qid="5c1d0000-0000-4000-8000-000000000020", cls="permanent", reason="discarded")
n = d2r("24.11.2026 08:00:05", "ghost@fabrikam.example", "Fail", "Reason: [{LED=550 5.4.300 Message expired};{MSG=};{FQDN=};{IP=};{LRT=}]")
expect(d2, n, "ghost@fabrikam.example", "expired", code=550, enh="5.4.300", dsn="5.4.300", text="Message expired", sender="alice@contoso.onmicrosoft.com", mid="m20@contoso.onmicrosoft.com", qid="5c1d0000-0000-4000-8000-000000000020", cls="permanent", reason="expired")
d2.write()

# ---------------------------------------------------------------- SMTP protocol logs (Send and Receive connectors)
ps = F("SEND20261124-1.LOG")
header(ps, "SMTP Send Protocol Log", "date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context".split(","), date="2026-11-24T00:00:00.000Z")
def pr(f, t, conn, sid, seq, loc, rem, ev, data="", ctx=""):
    return f.add(row([t, conn, sid, str(seq), loc, rem, ev, data, ctx]))
S1 = ("Outbound to Internet", "08DE2C11D0000001")
L, R = "10.0.0.31:50100", "203.0.113.25:25"
seq = iter(range(100))
def s1(t, ev, data="", ctx="", f=ps, sess=S1, loc=L, rem=R):
    return pr(f, t, sess[0], sess[1], next(seq), loc, rem, ev, data, ctx)
s1("2026-11-24T10:00:00.000Z", "*", "", "attempting to connect", loc="")
s1("2026-11-24T10:00:00.040Z", "+")
s1("2026-11-24T10:00:00.090Z", "<", "220 mx.fabrikam.example ESMTP ready")
s1("2026-11-24T10:00:00.091Z", ">", "EHLO MBX01.contoso.test")
s1("2026-11-24T10:00:00.140Z", "<", "250-mx.fabrikam.example Hello [198.51.100.1]")
s1("2026-11-24T10:00:00.140Z", "<", "250-PIPELINING")
s1("2026-11-24T10:00:00.140Z", "<", "250-STARTTLS")
s1("2026-11-24T10:00:00.140Z", "<", "250 8BITMIME")
s1("2026-11-24T10:00:00.141Z", ">", "STARTTLS")
s1("2026-11-24T10:00:00.190Z", "<", "220 2.0.0 Ready to start TLS")
s1("2026-11-24T10:00:00.300Z", "*", "", "Sending certificate")
s1("2026-11-24T10:00:00.301Z", ">", "EHLO MBX01.contoso.test")
s1("2026-11-24T10:00:00.350Z", "<", "250-mx.fabrikam.example Hello [198.51.100.1]")
s1("2026-11-24T10:00:00.350Z", "<", "250 PIPELINING")
s1("2026-11-24T10:00:00.351Z", "*", "08DE2C11D0000001;2026-11-24T10:00:00.000Z;1", "sending message with RecordId 51539607700 and InternetMessageId <ps-1@contoso.test>")
s1("2026-11-24T10:00:00.352Z", ">", "MAIL FROM:<alice@contoso.test> SIZE=5000")
s1("2026-11-24T10:00:00.352Z", ">", "RCPT TO:<pat@fabrikam.example>")
s1("2026-11-24T10:00:00.352Z", ">", "RCPT TO:<old@fabrikam.example>")
s1("2026-11-24T10:00:00.400Z", "<", "250 2.1.0 Sender OK")
s1("2026-11-24T10:00:00.400Z", "<", "250 2.1.5 Recipient OK")
n_old = s1("2026-11-24T10:00:00.401Z", "<", "550 5.1.1 <old@fabrikam.example>: Recipient address rejected: User unknown")
s1("2026-11-24T10:00:00.402Z", ">", "DATA")
s1("2026-11-24T10:00:00.450Z", "<", "354 Start mail input; end with <CRLF>.<CRLF>")
n_eod = s1("2026-11-24T10:00:00.700Z", "<", "250 2.0.0 OK: queued as 9F8E7D")
s1("2026-11-24T10:00:00.701Z", ">", "QUIT")
s1("2026-11-24T10:00:00.750Z", "<", "221 2.0.0 Bye")
s1("2026-11-24T10:00:00.751Z", "-", "", "Local")
expect(ps, n_old, "old@fabrikam.example", "bounced", stage="rcpt", code=550, enh="5.1.1", text="<old@fabrikam.example>: Recipient address rejected: User unknown", relay="mx.fabrikam.example", ip="203.0.113.25", sender="alice@contoso.test", mid="ps-1@contoso.test", cls="permanent", reason="userunknown")
expect(ps, n_eod, "pat@fabrikam.example", "sent", code=250, enh="2.0.0", text="OK: queued as 9F8E7D", relay="mx.fabrikam.example", ip="203.0.113.25", sender="alice@contoso.test", mid="ps-1@contoso.test", cls="success", reason="delivered")
S2 = ("Outbound to Internet", "08DE2C11D0000002")
R2 = "192.0.2.45:25"
seq = iter(range(100))
s1("2026-11-24T10:10:00.000Z", "*", "", "attempting to connect", sess=S2, loc="", rem=R2)
s1("2026-11-24T10:10:00.040Z", "+", sess=S2, loc="10.0.0.31:50101", rem=R2)
s1("2026-11-24T10:10:00.090Z", "<", "220 mx.wingtip.example ESMTP", sess=S2, loc="10.0.0.31:50101", rem=R2)
s1("2026-11-24T10:10:00.091Z", ">", "EHLO MBX01.contoso.test", sess=S2, loc="10.0.0.31:50101", rem=R2)
s1("2026-11-24T10:10:00.140Z", "<", "250-mx.wingtip.example", sess=S2, loc="10.0.0.31:50101", rem=R2)
s1("2026-11-24T10:10:00.140Z", "<", "250 CHUNKING", sess=S2, loc="10.0.0.31:50101", rem=R2)
s1("2026-11-24T10:10:00.141Z", "*", "08DE2C11D0000002;2026-11-24T10:10:00.000Z;1", "sending message with RecordId 51539607701 and InternetMessageId <ps-2@contoso.test>", sess=S2, loc="10.0.0.31:50101", rem=R2)
s1("2026-11-24T10:10:00.142Z", ">", "MAIL FROM:<billing@contoso.test> SIZE=90000", sess=S2, loc="10.0.0.31:50101", rem=R2)
s1("2026-11-24T10:10:00.190Z", "<", "250 2.1.0 Ok", sess=S2, loc="10.0.0.31:50101", rem=R2)
s1("2026-11-24T10:10:00.191Z", ">", "RCPT TO:<ap@wingtip.example>", sess=S2, loc="10.0.0.31:50101", rem=R2)
s1("2026-11-24T10:10:00.240Z", "<", "250 2.1.5 Ok", sess=S2, loc="10.0.0.31:50101", rem=R2)
s1("2026-11-24T10:10:00.241Z", ">", "BDAT 90000 LAST", sess=S2, loc="10.0.0.31:50101", rem=R2)
n = s1("2026-11-24T10:10:01.000Z", "<", "554 5.7.1 Message rejected: spam content detected", sess=S2, loc="10.0.0.31:50101", rem=R2)
s1("2026-11-24T10:10:01.001Z", ">", "QUIT", sess=S2, loc="10.0.0.31:50101", rem=R2)
s1("2026-11-24T10:10:01.050Z", "-", "", "Remote", sess=S2, loc="10.0.0.31:50101", rem=R2)
expect(ps, n, "ap@wingtip.example", "bounced", stage="eod", code=554, enh="5.7.1", text="Message rejected: spam content detected", relay="mx.wingtip.example", ip="192.0.2.45", sender="billing@contoso.test", mid="ps-2@contoso.test", cls="permanent", reason="spamdetected")
ps.write()

pv = F("RECV20261124-1.LOG")
header(pv, "SMTP Receive Protocol Log", "date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context".split(","), date="2026-11-24T00:00:00.000Z")
RC = ("MBX01\\Default Frontend MBX01", "08DE2C11E0000001")
RL, RR = "10.0.0.31:25", "203.0.113.66:40001"
seq = iter(range(100))
def r1(t, ev, data="", ctx=""):
    return pr(pv, t, RC[0], RC[1], next(seq), RL, RR, ev, data, ctx)
r1("2026-11-24T11:00:00.000Z", "+")
r1("2026-11-24T11:00:00.001Z", ">", "220 MBX01.contoso.test Microsoft ESMTP MAIL Service ready at Tue, 24 Nov 2026 11:00:00 +0000")
r1("2026-11-24T11:00:00.050Z", "<", "EHLO relay.unknown.example")
r1("2026-11-24T11:00:00.051Z", ">", "250-MBX01.contoso.test Hello [203.0.113.66]")
r1("2026-11-24T11:00:00.051Z", ">", "250 PIPELINING")
r1("2026-11-24T11:00:00.100Z", "<", "MAIL FROM:<spoof@unknown.example>")
r1("2026-11-24T11:00:00.101Z", "*", "08DE2C11E0000001;2026-11-24T11:00:00.000Z;1", "receiving message")
r1("2026-11-24T11:00:00.101Z", ">", "250 2.1.0 Sender OK")
r1("2026-11-24T11:00:00.150Z", "<", "RCPT TO:<someone@elsewhere.example>")
n1 = r1("2026-11-24T11:00:00.151Z", ">", "550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain")
r1("2026-11-24T11:00:00.200Z", "<", "RCPT TO:<kim@contoso.test>")
r1("2026-11-24T11:00:00.201Z", ">", "250 2.1.5 Recipient OK")
r1("2026-11-24T11:00:00.250Z", "<", "DATA")
r1("2026-11-24T11:00:00.251Z", ">", "354 Start mail input; end with <CRLF>.<CRLF>")
n2 = r1("2026-11-24T11:00:00.600Z", ">", "550 5.7.1 Message rejected as spam by Content Filtering.")
r1("2026-11-24T11:00:00.650Z", "<", "QUIT")
r1("2026-11-24T11:00:00.651Z", ">", "221 2.0.0 Closing connection.")
r1("2026-11-24T11:00:00.652Z", "-", "", "Local")
expect(pv, n1, "someone@elsewhere.example", "rejected", stage="rcpt", code=550, enh="5.7.54", text="SMTP; Unable to relay recipient in non-accepted domain", ip="203.0.113.66", sender="spoof@unknown.example", cls="permanent", reason="norelaying")
expect(pv, n2, "kim@contoso.test", "rejected", stage="eod", code=550, enh="5.7.1", text="Message rejected as spam by Content Filtering.", ip="203.0.113.66", sender="spoof@unknown.example", cls="permanent", reason="spamdetected")
pv.write()


# ---------------------------------------------------------------- Exchange 2007 tracking rows without their header (21 fields), LF line ends
T2007 = T2010[:21]
o7 = F("MSGTRK20071124-1.LOG", eol="\n")
n = o7.add(trk(T2007, date_time="2026-11-24T12:00:00.000Z", server_ip="198.51.100.60", server_hostname="smtp.partner.example", connector_id="Internet", source="SMTP", event_id="FAIL", internal_message_id="7001", message_id="<e7-1@EX2007.contoso.test>", recipient_address="three@partner.example", recipient_status="554 5.6.0 Corrupted message content", total_bytes="1200", recipient_count="1", message_subject="Old, but gold", sender_address="ceo@contoso.test", return_path="ceo@contoso.test"))
expect(o7, n, "three@partner.example", "bounced", code=554, enh="5.6.0", dsn="5.6.0", text="Corrupted message content", relay="smtp.partner.example", ip="198.51.100.60", sender="ceo@contoso.test", mid="e7-1@EX2007.contoso.test", qid="7001", cls="permanent", reason="contenterror")
o7.add("2026-11-24T12:00:01.000Z,08DE2C11F0000001,SMTP,partner.example,+,Internet 5d3a8f30-0000-4000-8000-000000000002;QueueLength=TQL=1;Q=1;")
o7.write()

# ---------------------------------------------------------------- a Send protocol log whose header spells #Log-Type (as Microsoft's page does)
pl = F("SEND20261124-2.LOG")
pl.add("#Software: Microsoft Exchange Server")
pl.add("#Version: 15.02.1544.004")
pl.add("#Log-Type: SMTP Send Protocol Log")
pl.add("#Date: 2026-11-24T00:00:00.000Z")
pl.add("#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context")
S3 = ("Outbound to Internet", "08DE2C11D0000003")
seq = iter(range(100))
R3 = "198.51.100.99:25"
s1("2026-11-24T13:00:00.000Z", "*", "", "attempting to connect", f=pl, sess=S3, loc="", rem=R3)
s1("2026-11-24T13:00:00.040Z", "+", f=pl, sess=S3, loc="10.0.0.31:50110", rem=R3)
n = s1("2026-11-24T13:00:00.090Z", "<", "421 4.7.0 mx.busy.example Too many connections, try again later", f=pl, sess=S3, loc="10.0.0.31:50110", rem=R3)
s1("2026-11-24T13:00:00.091Z", "-", "", "Remote", f=pl, sess=S3, loc="10.0.0.31:50110", rem=R3)
expect(pl, n, "", "deferred", stage="connect", code=421, enh="4.7.0", text="mx.busy.example Too many connections, try again later", ip="198.51.100.99", cls="transient", reason="toomanyconn", note="no tracking log in the run: no recipient")
pl.write()


# ---------------------------------------------------------------- Exchange 2010 agent log (IPAddress, Recipients)
a10 = F("AgentLog20101124-1.LOG")
A10 = "Timestamp,SessionId,IPAddress,MessageId,P1FromAddress,P2FromAddresses,Recipients,NumRecipients,Agent,Event,Action,SmtpResponse,Reason,ReasonData,Diagnostics".split(",")
header(a10, "Agent Log", A10, version="14.03.0468.000")
n = a10.add(row(["2026-11-24T14:00:00.000Z", "08CD11AA22BB3401", "203.0.113.150", "", "bulk@promo.example", "", "one@contoso.test;two@contoso.test", "2", "Sender Id Agent", "OnMailCommand", "RejectCommand", "550 5.7.1 Sender ID (PRA) Not Permitted", "SenderIdFail", "Fail", ""]))
for r in ("one@contoso.test", "two@contoso.test"):
    expect(a10, n, r, "rejected", stage="mail", code=550, enh="5.7.1", text="Sender ID (PRA) Not Permitted", ip="203.0.113.150", sender="bulk@promo.example", cls="permanent", reason="")
a10.write()

with open(os.path.join(OUT, "truth.tsv"), "w") as f:
    f.write("\t".join(T_COLS) + "\n")
    for t in truth:
        assert not any("\t" in v or "\n" in v for v in t), t
        f.write("\t".join(t) + "\n")
with open(os.path.join(OUT, "unparsed.tsv"), "w") as f:
    f.write("file\tline\n")
    for fn, ln in UNPARSED:
        f.write("%s\t%d\n" % (fn, ln))
print(len(truth), "expected events")
