package classify

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/exim"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
	"github.com/bouncescan/bouncescan/parsers/parsekit/parsekittest"
	"github.com/bouncescan/bouncescan/parsers/postfix"
)

// The held-out check of issue 13: real Postfix and Exim runs of the
// testbed with scenarios-unseen.tsv, a third scenario table written from
// providers' published bounce lists (Comcast, Orange, Zoho, Dovecot,
// Zimbra, qmail, Exchange Server, Barracuda, T-Online, EarthLink, nic.ru,
// Mail.ru, web.de, Mimecast, amavisd-new, Postfix and Exim defaults, RFC
// replies; the note column names each source) with wordings that neither
// the other tables nor the rules were written from. Every log is read by
// the real parser: the fields of every truth row must come out right, and
// the verdicts (class, subject and reason) must not fall below what they
// reached when the runs were made (a ratchet: raise the floors when the
// rules get better; never lower them to make a change pass).
const (
	// of 269 and 211 truth rows agree: 235 and 190 (87.4%, 90.0%) when
	// the runs were made, before any rule had seen them; 267 and 209 after
	// the rules written from what their misses mean (so no longer held out)
	unseenPostfixFloor = 267
	unseenEximFloor    = 209

	// A second held-out pair of runs (scenarios-unseen2.tsv: GoDaddy,
	// QQ, NetEase 163, Sina, La Poste, SFR, Rackspace, Sophos, Trend
	// Micro, Cox, AT&T/BellSouth, Seznam, Interia, qmail chkuser, Forpsi,
	// Fastmail, Rspamd, Telstra BigPond, Spambrella, IceWarp; the note
	// column names each source), made after the rules above were written
	// and before any rule had seen them: when the runs were made (held
	// out), of 270 and 229 truth rows 216 and 184 agreed (80.0%, 80.3%);
	// fields 270/270 and 229/229. Then round e wrote rules from what the
	// misses mean: 266 and 225 (fit, no longer held out).
	unseen2PostfixFloor = 266
	unseen2EximFloor    = 225

	// A third held-out pair of runs (scenarios-unseen3.tsv: Naver,
	// Daum/Kakao, Korean portal return-mail lists, IONOS, hMailServer,
	// Haraka, Free.fr, bytecamp, onesystems, La Poste via gadz.org; the
	// note column names each source), made after round e and before any
	// rule had seen them. Held out, when the runs were made: of 202 and
	// 169 truth rows 163 and 136 agreed (80.7%, 80.5%); fields 202/202
	// and 169/169. Round f then wrote rules from five of its misses: 173
	// and 146 (fit, no longer held out). (Exim's run has
	// one testbed check mismatch, kept as logged: kr-421-busy, a 421
	// greeting meant to clear after one try, expired because Exim's host
	// retry time outlasted the short queue lifetime.)
	unseen3PostfixFloor = 173
	unseen3EximFloor    = 146

	// A fourth held-out pair of runs (scenarios-unseen4.tsv: STRATO,
	// goneo, Libero, sitepackage.de's provider list (Freenet, T-Online,
	// GMX), Coremail, emailhost.com.cn, fobhost, smtpf/Barricade MX,
	// Baruwa, Mailprotector, Cisco AsyncOS defaults, OpenSMTPD, Exim,
	// Postfix and spamass-milter default texts, RFC 5248/7293/7372/7505
	// codes; the note column names each source), made after round f and
	// before any rule had seen them. Held out, when the runs were made
	// (measured at commit 92ffbe5ebd34b36b4929bcfd92a39f946566f798): of
	// 248 and 218 truth rows 220 and 190 agreed (88.7%, 87.2%); fields
	// 248/248 and 218/218. Neither run has a testbed check mismatch.
	// At 9cc0ea2, the HEAD when the table was written and the runs
	// made, 219 and 189 (88.3%, 86.7%): pf-451-430-queue-write's Postfix
	// text 'queue file write error' was networkerror until 31f0d1e (a
	// round of MTA default texts committed while the runs were going).
	// Round h then wrote rules from what eleven of its sixteen missed
	// scenarios mean: 242 and 212 (fit, no longer held out).
	unseen4PostfixFloor = 242
	unseen4EximFloor    = 212

	// A fifth held-out pair of runs (scenarios-unseen5.tsv: Stalwart
	// Mail Server replies from its source, Postfix postscreen, Cyrus
	// lmtpd, policyd-spf, OpenDMARC, clamav-milter, milterfrom, sendmail
	// proto.m4, MailEnable, Alibaba Mail's error list, konto.pl, Netbit,
	// open-mail.org's 3strikes replies; the note column names each
	// source), made after round h and before any rule had seen them.
	// Held out, when the runs were made (measured at commit
	// 55c1574e20baf6fb4238747462eafc75743ea108; the same at bf02a75, the
	// HEAD when the table was written): of 226 and 197 truth rows 202 and
	// 175 agreed (89.4%, 88.8%). Fields were 224/226 and 195/197: the two
	// rows of each run for cy-550-511-mailbox-unknown lost their enhanced
	// code, which Cyrus gives on the last line of its reply only, until
	// parsekit.ParseReply read it there; now 226/226 and 197/197. Neither
	// run has a testbed check mismatch.
	// Round i then wrote rules from what eleven of its twelve missed
	// scenarios mean: 225 and 196 (fit, no longer held out).
	unseen5PostfixFloor = 225
	unseen5EximFloor    = 196

	// A sixth held-out pair of runs (scenarios-unseen6.tsv: Courier
	// MTA's courieresmtpd replies, Qsmtp, policyd-weight and iRedAPD
	// texts as Postfix's smtpd renders a policy server's action,
	// MailChannels' inbound and outbound error lists, VIPRE's rejection
	// reasons, Andrews & Arnold's sending errors; the note column names
	// each source), made after round i and before any rule had seen
	// them. Held out, when the runs were made (measured at commit
	// b090cc206c09468d89fb52c215ccce306da42344): of 222 and 194 truth
	// rows 177 and 155 agreed (79.7%, 79.9%); fields 222/222 and
	// 194/194. Neither run has a testbed check mismatch. Fourteen of the
	// 44 scenarios miss, the same in both runs; qs-451-443-spf-temp is
	// arguably the table's miss (an X.4.3 SPF temperror, networkerror
	// by run 4's ci-451-spf-temp), kept as written for the held-out
	// figure.
	// Round j then wrote rules from what twelve of its fourteen missed
	// scenarios mean: 220 and 192 (fit, no longer held out; left: the
	// table's SPF temporary error as authfailure, which run 4 and the rules
	// call networkerror, and nothing else).
	unseen6PostfixFloor = 220
	unseen6EximFloor    = 192

	// A seventh held-out pair of runs (scenarios-unseen7.tsv: chasquid's
	// smtpsrv replies, maddy's check and endpoint replies (dns, dnsbl,
	// spf, dkim, rspamd, authorize_sender, imapsql quota; its ' (msg ID =
	// ...)' suffix), go-smtp's server replies (the library maddy uses),
	// Exim's own smtp_in.c greeting refusals and too-many-errors reply;
	// the note column names each source), made after round j and before
	// any rule had seen them. Held out, when the runs were made (measured
	// at commit 733f2d51534baa56f92ef3ceedd9a84bf4ecbba9; the table was
	// written at 24ea555): of 236 and 200 truth rows 205 and 179 agreed
	// (86.9%, 89.5%); fields 235/236 and 200/200. Twelve of the 55
	// scenarios miss, the same in both runs. Neither run has a testbed
	// check mismatch. The Postfix field that failed was a parser bug: a
	// bounced 'refused to talk to me: 554 ...' was taken for the greeting,
	// though a 5xx greeting is deferred (smtp_skip_5xx_greeting), so it is
	// the EHLO reply; fixed after the measure (236/236).
	// Round k then wrote rules from what nine of its twelve missed
	// scenarios mean: 230 and 194 (fit, no longer held out; left: chasquid's
	// 'Invisible customers are not welcome!', a 5.7.3 'security level' and
	// a 5.6.7 SMTPUTF8 reply that their codes decide).
	unseen7PostfixFloor = 230
	unseen7EximFloor    = 194

	// An eighth held-out pair of runs (scenarios-unseen8.tsv: mox's
	// smtpserver replies (server.go, analyze.go; its ' (<received ID>)'
	// suffix), Haraka's DSN module default messages, Apache James'
	// AbstractValidRcptHandler and ElasticInbox's LMTP replies on James
	// protocols-lmtp; the note column names each source), made after
	// round k and before any rule had seen them. A smaller table (35
	// scenarios), so fewer truth rows than the other runs. Held out, when
	// the runs were made (measured at commit
	// 92f93d9b9c36ac69ec21180fd7fc6bb0a659d2ef, also the HEAD when the
	// table was written): of 145 and 126 truth rows 115 and 106 agreed
	// (79.3%, 84.1%); fields 145/145 and 126/126. Nine of the 35
	// scenarios miss, the same in both runs. Neither run has a testbed
	// check mismatch.
	// Round l then wrote rules from what eight of its nine missed
	// scenarios mean: 138 and 121 (fit, no longer held out; left: the
	// typo 'User over quita' of an LMTP server built on Apache James).
	unseen8PostfixFloor = 138
	unseen8EximFloor    = 121

	// A ninth held-out pair of runs (scenarios-unseen9.tsv: qpsmtpd's
	// core and plugin default replies (SMTP.pm, Qpsmtpd::DSN's ' (#x.y.z)'
	// suffix, forkserver, dnsbl, greylisting, check_earlytalker, helo,
	// check_spamhelo, karma, resolvable_fromhost, sender_permitted_from,
	// rcpt_ok, check_badmailfrom, clamdscan, spamassassin), Nodemailer's
	// smtp-server, ZoneMTA's smtp-interface, WildDuck's MX plugin, Postal's
	// SMTP server, aiosmtpd, OpenBSD spamd/greyd, milter-greylist, Kolab's
	// and Proxmox Mail Gateway's policy services, Dovecot LMTP and Exchange
	// Online NDR codes not in earlier tables; the note column names each
	// source), made after round l and before any rule had seen them. Held
	// out, when the runs were made (measured at commit
	// 379ca2ef50ffe14a77f1d87509984c0d3fd8da87, also the HEAD when the
	// table was written): of 200 and 177 truth rows 144 and 133 agreed
	// (72.0%, 75.1%); fields 200/200 and 172/177. Twenty-two of the 51
	// scenarios miss in Postfix, the same 21 plus nm-421-talk-too-soon in
	// Exim, where its five rows find no event: Exim logs a 421 EHLO reply
	// that closed the connection as 'Remote host closed connection in
	// response to HELO mta.testbed.test (EHLO response was: 421 ...)', and
	// the parser read it as a drop (code 0) instead of the quoted 421 (a
	// parser bug, fixed in 2e6ea64 after the measure: 177/177, verdicts
	// still 133). Neither run has a testbed check mismatch.
	// Round m then wrote rules from what fourteen of its twenty-two missed
	// scenarios mean: 187 and 170 (fit, no longer held out; left: texts
	// that do not say what they are (qpsmtpd's 'temporarily denied',
	// spamd's 'Temporary failure', Proxmox's 'Service is unavailable (try
	// later)', all greylisting; karma's 'You were naughty'), and ZoneMTA's
	// '550 Server shutdown in progress', notaccept in this table and
	// systemerror in run 5's Stalwart '421 4.3.0 Server shutting down').
	unseen9PostfixFloor = 187
	unseen9EximFloor    = 170

	// A tenth held-out pair of runs (scenarios-unseen10.tsv: NetEase
	// 163/126 and QQ Mail published codes not in earlier tables, Rspamd,
	// Rmilter, amavisd-new, amavis-milter, Postgrey, gopp, Cyrus lmtpd;
	// the note column names each source), made before any rule had seen
	// them. Held out, measured at commit
	// 583a4022dda0b4744ff9d4c29f013f83cb122e6b (also the HEAD when the
	// table was written): of 170 and 142 truth rows 119 and 105 agreed
	// (70.0%, 73.9%); fields 170/170 and 142/142. Neither run has a
	// testbed check mismatch. Round n (issue 13) took 17 of its 21 missed
	// scenarios: 162/170 and 134/142 (95.3%, 94.4%). Left by convention:
	// DMARC failures are policyviolation here (dmarc.policy), not
	// authfailure; QQ's "Bad address syntax" without a code is syntaxerror
	// (round m); its "Mailbox unavailable or access denied" says mailbox
	// where QQ's page means a rate; Rspamd's bare "451 4.7.1 Try again
	// later" keeps 4.7.1's meaning (the issue's rule: a text that only
	// says try again later does not override a specific code).
	unseen10PostfixFloor = 162
	unseen10EximFloor    = 134

	// An eleventh held-out pair of runs (scenarios-unseen11.tsv:
	// Synchronet's mail server replies (mailsrvr.cpp), Momentum MTA's
	// documented message responses, FTGate's service error messages,
	// VPOP3's and Gordano GMS's documented errors, SQLgrey and postfwd
	// texts as Postfix's smtpd renders a policy server's action, an
	// Infomaniak FAQ example; the note column names each source), made
	// before any rule had seen them. Held out, measured at commit
	// eba0eedbd8d0f1209413d5fc414821157d7ac79b (the same at 583a402, the
	// HEAD when the table was written): of 199 and 169 truth rows 151 and
	// 129 agreed (75.9%, 76.3%); fields 199/199 and 169/169.
	// Eighteen of the 45 scenarios miss, the same in both runs. Neither
	// run has a testbed check mismatch. Round o (issue 13) took 15 of the
	// 18: 196/199 and 166/169 (98.5%, 98.2%). Left, each decided by its
	// specific code as the issue's rule says: "552 5.2.3 Message too
	// large" (X.2.3 exceedlimit, the table says emailtoolarge) and "550
	// 5.7.1 Recipient Prohibited (3)" (X.7.1 securityerror, the table
	// says policyviolation).
	unseen11PostfixFloor = 196
	unseen11EximFloor    = 166

	// A twelfth held-out pair of runs (scenarios-unseen12.tsv: Vade's OX
	// postmaster codes, Sophos Email's XGEMAIL codes, Symantec/Broadcom
	// Email Security.cloud KB texts, Cloudmark, AT&T, Apple, Amazon SES,
	// SendGrid, Proofpoint, Kerio Connect and N-able Mail Assure
	// examples; the note column names each source), made before any rule
	// had seen them. Held out, measured at commit
	// d378c4ea4a11232cd25438e1199fbb1b845b07d4: of 223 and 175 truth rows
	// 152 and 122 agreed (68.2%, 69.7%); fields 223/223 and 175/175. 20 of
	// its 42 scenarios missed, 12 of them vendor codes. Neither run has a
	// testbed check mismatch. Round q (issue 13) took 19 of the 20, and the
	// template fix for codes with underscores (appendSegments; six Vade
	// scenarios shared one cache entry): 221/223 and 173/175 (99.1%,
	// 98.9%). Left by convention: SendGrid's "too frequent connects from
	// <ip>" is a connection frequency, toomanyconn (toomanyconn.rate), where
	// the table says ratelimited.
	unseen12PostfixFloor = 221
	unseen12EximFloor    = 173

	// A thirteenth held-out pair of runs (scenarios-unseen13.tsv: SocketLabs,
	// Emailit, SMTP2GO, Gandi's postmaster page, Runbox, Prolateral, Host
	// Media, Veraciti, the vSMTP book, Bluehost, Titan, Neo, Xmail, Brown
	// Rice, xneelo; the note column names each source), made before any
	// rule had seen them. Held out, measured at commit
	// 5078767a2d82f87f44adbdfba3136de2a0656e04: of 186 and 163 truth rows
	// 143 and 126 agreed (76.9%, 77.3%); fields 186/186 and 163/163.
	// Neither run has a testbed check mismatch. Round r (issue 13) took 12
	// of its 17 missed scenarios: 159/186 and 142/163 (85.5%, 87.1%). Left:
	// four whose words name no cause and whose vendor's page gives one
	// ("421 Server Temporarily Not Available", a full queue for Bluehost;
	// "451 4.7.1 Sender is not authorized. Please try again.", vSMTP's
	// greylisting; "454 4.7.1 Service temporarily unavailable", Xmail's
	// spam checker timing out; "554 mail server permanently rejected
	// message"), and SocketLabs' "451 4.7.1 Your account has been
	// temporarily suspended" at MAIL FROM (the sending account's monthly
	// allowance; this classifier said suspend, a recipient's mailbox, and
	// now says rejected: at MAIL FROM the account is the sender's).
	unseen13PostfixFloor = 159
	unseen13EximFloor    = 142

	// A fourteenth held-out pair (scenarios-unseen14.tsv: MailCleaner's
	// Exim ACLs, KumoMTA, grommunio Gromox's reply table, GNU Mailutils,
	// Mailman 3, OCI Email Delivery, MDaemon, BT, Proximus, ImprovMX,
	// Forward Email; the note column names each source), made before any
	// rule had seen them. Held out, measured at commit
	// dd08b80 (the rules of 35fb721 are the same): of 224 and 198 truth
	// rows 169 and 151 agreed (75.4%, 76.3%); fields 224/224 and 198/198.
	// Neither run has a testbed check mismatch. Round s (issue 13) took
	// all 16 missed scenarios by what their words mean: 224/224, 198/198.
	unseen14PostfixFloor = 224
	unseen14EximFloor    = 198

	// A fifteenth held-out pair (scenarios-unseen15.tsv: reply strings in
	// the source of LBBS, Citadel, gosmtp, go-guerrilla and the CHAPPS
	// policy service; the note column names each file), made before any
	// rule had seen them. Held out, measured at commit 5d9f621: of 204 and
	// 178 truth rows 173 and 155 agreed (84.8%, 87.1%); fields 204/204 and
	// 178/178; no testbed check mismatch. Round t (issue 13) took 10 of the
	// 12 missed scenarios: 196/204, 172/178. Left: "421 4.3.0 Server is
	// shutting down" wanted notaccept where an earlier table's "421 4.3.0
	// Server shutting down" wants systemerror (the two truths disagree;
	// under 4.3.2 both would be notaccept), and "554 5.5.0 Error:
	// transaction timeout" wanted systemerror where a timeout stays a
	// networkerror here.
	unseen15PostfixFloor = 196
	unseen15EximFloor    = 172

	// A sixteenth held-out pair (scenarios-unseen16.tsv: the Exim ACL
	// messages cPanel and DirectAdmin ship, DCC's reply templates,
	// MIMEDefang's defaults, Aruba's help pages), made before any rule had
	// seen them. Held out, measured at commit 9e23a9d: of 159 and 143 truth
	// rows 124 and 112 agreed (78.0%, 78.3%); fields 159/159 and 143/143;
	// no testbed check mismatch (Exim expires fewer of the deferrals within
	// the run, so it has fewer rows). Round u (issue 13) took 12 of the 14
	// missed scenarios: 151/159, 135/143. Left: cPanel's greylisting reply
	// "451 Temporarily unable to process your email. Please try again
	// later." (only cPanel's configuration says it is greylisting; the words
	// say nothing) and DirectAdmin's "Legitimate bounces are never sent to
	// more than one recipient" (policyviolation in the table).
	// Round w's rule for backscatter took DirectAdmin's "Legitimate
	// bounces are never sent to more than one recipient" too: 153/159,
	// 137/143.
	unseen16PostfixFloor = 153
	unseen16EximFloor    = 137

	// A seventeenth held-out pair (scenarios-unseen17.tsv: reply strings in
	// Haraka's connection.js and plugins and in Apache James's fast-fail
	// handlers), made before any rule had seen them. Held out, measured at
	// commit aae16ee: of 247 and 183 truth rows 179 and 135 agreed (72.5%,
	// 73.8%); fields 247/247 and 183/183; no testbed check mismatch. Round
	// v (issue 13) took 11 of the 15 missed scenarios: 217/247, 161/183.
	// Left: Apache James's greylisting replies ("451 4.4.3 Temporary
	// rejected: Please try again later"; the words and the code say
	// nothing of greylisting), Haraka's "452 Internal Server Error" for a
	// full disk (the words say a system error), and "450 ... SPF Temporary
	// Error" (authfailure in this table; an SPF check that could not finish
	// is a networkerror here, and the earlier tables split three to three).
	unseen17PostfixFloor = 217
	unseen17EximFloor    = 161

	// An eighteenth held-out pair (scenarios-unseen18.tsv: smf-spf,
	// smf-sav, SnertSoft's milters, spamilter, cloudmails.eu, Maropost,
	// JetEmail), made before any rule had seen them. Held out, measured at
	// commit 2f0e728: of 155 and 145 truth rows 132 and 122 agreed (85.2%,
	// 84.1%); fields 155/155 and 145/145; no testbed check mismatch. Round
	// w (issue 13) took 10 of the 17 missed scenarios: 147/155, 137/145.
	// Left: "451 4.4.5 Server too busy" (toomanyconn in the table; the
	// code says congestion), "554 5.7.1 Message blocked" (no cause named),
	// Maropost's "554 Transaction failed[Invalid X-CampaignID]" (its own
	// header), JetEmail's "[ABUSE] Sender blocked" (badreputation in the
	// table), spamilter's "Temporary failure - Unable to validate Sender
	// address" (rejected in the table, a 4xx check that failed) and
	// "Recipient undeliverable" after the data (filtered in the table).
	unseen18PostfixFloor = 147
	unseen18EximFloor    = 137

	// A nineteenth held-out pair (scenarios-unseen19.tsv, 17 scenarios:
	// replies of NTT docomo, au, SoftBank, Yahoo! JAPAN, Spectrum, Tuta,
	// Proton and Virgin Media quoted by their pages or by forum threads),
	// made before any rule had seen them. Held out, measured at commit
	// 7637889: of 78 and 70 truth rows 72 and 64 agreed (92.3%, 91.4%);
	// fields 78/78 and 70/70; no testbed check mismatch. Round x (issue
	// 13): 76/78, 68/70. Left: "User unknown" after the end of data, which
	// this table calls filtered and the shared testbed's truth
	// (yh-554-nouser-eod) calls userunknown: the refusal after DATA is
	// filtered, after the end of data the server has the message and may
	// check the recipient then (README, Reasons).
	unseen19PostfixFloor = 76
	unseen19EximFloor    = 68

	// A twentieth held-out pair (scenarios-unseen20.tsv: reply strings in
	// the source of Sendmail, Postfix, Exim, notqmail, Cyrus IMAP and
	// OpenSMTPD), made before any rule had seen them. Held out, measured
	// at commit 9e76b2c: of 261 and 215 truth rows 224 and 186 agreed
	// (85.8%, 86.5%); fields 261/261 and 215/215. Two testbed check
	// mismatches in each run: the first recipient of the two scenarios that
	// answer 421 at MAIL FROM on their own port was delivered (the truth
	// file records it as sent, and so does the log). Round y (issue 13)
	// took 6 of the 8 missed scenarios: 256/261, 210/215. Left: Sendmail's
	// "552 5.2.3 Message size exceeds fixed maximum message size"
	// (emailtoolarge in the table; 5.2.3 is exceedlimit here, and the
	// earlier tables split on it) and a milter's "554 5.7.1 Command
	// rejected" (no cause named).
	unseen20PostfixFloor = 256
	unseen20EximFloor    = 210
	// Tables 21 and 22, run together (scenarios-unseen21-22.tsv is the
	// two joined: 5 scenarios from FortiMail, WatchGuard, ESET and
	// Kaspersky documentation, 27 from the source of Carbonio, iRedAPD,
	// Modoboa, mailcow, Qpsmtpd, ezmlm-idx and Kolab), made before any
	// rule had seen them. Held out, measured at commit 5460fd2: of 152 and
	// 136 truth rows 118 and 106 agreed (77.6%, 77.9%); fields 152/152 and
	// 136/136; no testbed check mismatch. Round z (issue 13): 143/152,
	// 127/136. Left: two greylisting replies whose words say nothing
	// ("451 Try again later", "451 4.7.1 Requested action aborted: local
	// error in processing"), WatchGuard's "571 Delivery not authorized,
	// message refused" (spamdetected in the table: its spam filter's
	// answer, the words of RFC 3463's 5.7.1), and Kolab's "Sender address
	// rejected: Access denied" (securityerror in the table; the words say
	// a refused sender).
	unseen2122PostfixFloor = 143
	unseen2122EximFloor    = 127
	// Tables 23 and 24, run together (scenarios-unseen23-24.tsv: 45
	// scenarios from the source of hMailServer, Courier-MTA, OpenDKIM and
	// Postal; 49 from Postmark's SMTP Field Manual (Yahoo, Free, Orange,
	// Rambler, Comcast, Yandex, iCloud, AT&T, Microsoft, Barracuda, Trend
	// Micro, ZeroSpam, Symantec.cloud) and the help pages of Interia,
	// ASPone, EarthLink and Ghent University), made before any rule had
	// seen them. Held out, measured at commit 6ac2237: of 493 and 411
	// truth rows 395 and 335 agreed (80.1%, 81.5%); fields 493/493 and
	// 411/411. Testbed check mismatches: 4 (Postfix) and 2 (Exim), the
	// first recipient of the two scenarios that answer 421 at MAIL FROM on
	// their own port delivered, as in run 20. Round aa (issue 13):
	// 449/493, 380/411. Left: Yahoo's TSS04 (30 rows of retries: the
	// table's badreputation is current Sisimai's Rhost::YahooInc, the
	// Sisimai dev set says blocked, here it stays ratelimited, Yahoo's
	// "unexpected volume or user complaints"), AT&T's "Connections not
	// accepted from servers without a valid sender domain. Fix reverse
	// DNS" (requireptr in the table, rejected in the Sisimai dev set,
	// which wins), DMARC rejections (policyviolation here, as dmarc.policy
	// says), a bare "Please try again later" (greylisting in the table),
	// and replies whose words name no cause ("Not authorized sender.",
	// "Message filtered", Trend Micro's "BLOCK-SEND-ER"/"NO-DOMAIN" under
	// 5.7.1).
	unseen2324PostfixFloor = 449
	unseen2324EximFloor    = 380
	// Tables 25 and 26, run together (scenarios-unseen25-26.tsv: 45
	// scenarios from the source of SubEthaSMTP, aiosmtpd, Dovecot, policyd
	// (cluebringer), policyd-rate-limit, milter-greylist, milter-regex,
	// Debian's exim4-config, Mail-in-a-Box and OpenSMTPD's filter-dnsbl;
	// 47 from the pages of Titan, Rackspace, Zoho (through Sisimai's
	// Rhost::Zoho), Hornetsecurity, Trend Micro, Cloudflare Email Routing,
	// La Poste, ImprovMX, MXroute and others), made before any rule had
	// seen them. Held out, measured at commit 1bde317: of 471 and 401
	// truth rows 349 and 305 agreed (74.1%, 76.1%); fields 471/471 and
	// 401/401. Testbed check mismatches: 2 (Postfix) and 1 (Exim), the
	// 421-at-MAIL-FROM scenario on its own port whose first recipient was
	// delivered. Round ab (issue 13): 420/471, 357/401. Left: replies
	// whose sources disagree with conventions kept here (aiosmtpd's "552
	// Too much mail data", mailboxfull in Sisimai; Dovecot's "552 5.2.3
	// Message size exceeds administrative limit", 5.2.3 is exceedlimit;
	// Zoho's replies as Sisimai's Rhost::Zoho reads them: "Greylisted"
	// blocked, "flagged as Spam" rejected), a reputation or a block list
	// read the other way ("Spam IP rejected", "spam rate exceeded"), and
	// replies whose words do not say the cause the table gives ("Service
	// temporarily not available" as toomanyconn, "Problem attempting to
	// execute commands" as networkerror, Rackspace's G18/G19).
	unseen2526PostfixFloor = 420
	unseen2526EximFloor    = 357
	// Tables 27 and 28, run together (scenarios-unseen27-28.tsv: 50
	// scenarios from the source of spamdyke, chkuser, the qmail-smtpd
	// patches collected by sagredo and simscan; 36 from the pages of
	// Sina, Tencent QQ (through Sisimai's Rhost::Tencent), Yandex, Daum
	// and Korean ISP lists), made before any rule had seen them. Held
	// out, measured at commit cb90444: of 541 and 428 truth rows 387 and
	// 306 agreed (71.5%, 71.5%); fields 541/541 and 428/428. Testbed check
	// mismatches: 2 (Postfix) and 1 (Exim), the 421-at-MAIL-FROM scenario
	// on its own port whose first recipient was delivered. Round ac
	// (issue 13): 501/541, 391/428. Left: qmail's "too many invalid
	// addresses, goodbye" (syntaxerror in the table, read as userunknown:
	// its "invalid address" wins), replies read the other way by Sisimai's
	// Rhost::Tencent ("Suspected spam" rejected), chkuser's 5.1.2 "you
	// must specify a domain" (the code says hostunknown) and 5.5.3 "you
	// are violating our security policies" (the code says too many
	// recipients, which is what chkuser counts), and replies whose words
	// name no cause ("Mail is not being accepted at this address", "remote
	// ip check error", "relay check local fail", "Denied domain name").
	unseen2728PostfixFloor = 501
	unseen2728EximFloor    = 391
	// Tables 29 and 30, run together (scenarios-unseen29-30.tsv: 39
	// scenarios from sending platforms' bounce pages (Black Pearl Mail,
	// Maropost, Iterable, SparkPost, Insnap, Emailit, ZeptoMail, Suped,
	// MxToolbox, RGN Med); 39 from the source of Apache James and
	// ClamSMTP, smtpf's reply list, BT, web.de, Lycos and other ISP and
	// vendor pages), made before any rule had seen them. Held out,
	// measured at commit dbd943b: of 503 and 417 truth rows 405 and 343
	// agreed (80.5%, 82.3%); fields 503/503 and 417/417. Testbed check
	// mismatches: 3 (Postfix) and 3 (Exim), the 421-at-MAIL-FROM
	// scenarios on their own ports whose first recipient was delivered.
	// Round ad (issue 13): 464/503, 390/417. Left: Yahoo's GL01 and TSS04
	// as badreputation (the convention here is ratelimited, as the
	// public testbed's table has it; Sisimai 4 says blocked), Microsoft's
	// 5.4.1 "Access denied" with the code's network subject (as
	// Microsoft's list and the public table read it), "Must issue a
	// STARTTLS command first" as securityerror (failedstarttls here, as
	// table 23 wanted), a greylisting milter's bare "try again later",
	// spam with the content subject (security here), and an API key
	// "restricted to sending domain" read as the sender refused.
	unseen2930PostfixFloor = 464
	unseen2930EximFloor    = 390
	// Tables 31 and 32, run together (the ports of table 32 follow those
	// of table 31): 43 scenarios from the source and documentation of
	// MTAs and filters nobody here had read (magma, E-MailRelay, OpenBSD
	// spamd, a Zimbra milter, Lotus Domino) and 47 from hosting and ISP
	// pages (GoDaddy, Cox, Bluehost, cPanel and DirectAdmin Exim ACLs,
	// Ubiquity, Host Media, Juno/AOL, inbox.lv), made before any rule
	// had seen them. Held out, measured at commit 262bac2: of 501 and
	// 392 truth rows 320 and 256 agreed (63.9%, 65.3%); fields 501/501
	// and 392/392.
	// Round ae (issue 13): 452/501, 353/392. Left: Cox's AUP#CXCNCT
	// (too many connections, only the code says so) read as blocked,
	// Cox's "DNS check failure" of the client (requireptr in the table)
	// read as a system error, a cPanel "HELO required" (notcompliantrfc
	// in the table; syntaxerror is the convention here), E-MailRelay's
	// bare "452 rejected" and "452 error" from its filter, "encryption
	// required: use starttls" as failedstarttls (securityerror in the
	// table), magma's "INVALID ADDRESS" and "MAILBOX UNAVAILABLE - try
	// again in 15 minutes" (syntax and greylisting only by the table's
	// word), GoDaddy's IB502 (an IP as the From: address), an ESA's
	// "Sender blocked" as the sender refused, and a Zimbra 571 on
	// forwarding to a list read as a security error.
	unseen3132PostfixFloor = 452
	unseen3132EximFloor    = 353
	// Tables 33 and 34, run together (the ports of table 34 follow those
	// of table 33): 35 scenarios from the source and documentation of
	// small and commercial MTAs (XMail, Haraka and qpsmtpd plugins,
	// Stalwart, IceWarp, Barricade MX) and 37 from the published pages of
	// gateways and mailbox providers (Mimecast, Trend Micro, Sophos,
	// T-Online, Spectrum/Road Runner, Fastmail, GMX, Mail.ru, Orange, La
	// Poste, Libero, Hornetsecurity, NetEase), made before any rule had
	// seen them. Held out, measured at commit c1c5d76: of 435 and 347
	// truth rows 308 and 251 agreed (70.8%, 72.3%); fields 435/435 and
	// 347/347.
	// Round af (issue 13): 399/435, 319/347. Left: NetEase's MI:CEL
	// (too many wrong commands; blocked here, like its other client
	// refusals, syntaxerror in the table) and XMail's "Server too busy"
	// (systemerror here, toomanyconn in the table; Road Runner's "Server
	// is busy" row says systemerror), Road Runner's 421 "Connection
	// refused. Server is busy" (networkerror from its words; 4.3.2 would
	// say notaccept), Haraka's "No bounces accepted here" (policyviolation
	// by convention), 501 "Invalid MAIL FROM address" and "Syntax error in
	// return path" (a malformed sender is refused here, as X.1.7 says),
	// XMail's "Server use forbidden" and list "Access denied … for user",
	// Libero's bare "Invalid Domain", Haraka's "Invalid bounce (spoofed
	// sender)" and "Credential leak detected".
	unseen3334PostfixFloor = 399
	unseen3334EximFloor    = 319
	// Tables 35, 36 and 37, run together: 14 scenarios from regional
	// providers (Naver, Interia, Forpsi, NetEase, Japanese ISPs), 32 from
	// hosting companies and European ISPs (Bluewin, Strato, Aruba PEC,
	// Amazon SES and WorkMail, IONOS, Tiscali, SFR, NextGenTel, WEDOS …)
	// and 36 from the platforms and filters ISPs run (Zimbra's LMTP
	// replies, Symantec DLP and Messaging Gateway, Cisco AsyncOS,
	// cbpolicyd, Hornetsecurity, MagicSpam, Oracle Messaging Server …),
	// made before any rule had seen them. Held out, measured at commit
	// 703a4bb: of 536 and 401 truth rows 393 and 301 agreed (73.3%,
	// 75.1%); fields 536/536 and 401/401. The two 421 replies to MAIL
	// FROM are tested by their senders; their own recipients' messages
	// were delivered (truth: delivered), as the sink answers a session
	// scenario only at connect and EHLO.
	// Round ag (issue 13): 472/536, 351/401. Left: the table's network
	// subject for "too many connections" (protocol here), NetEase's
	// RP:CEL (blocked here, syntaxerror in the table), Forpsi's "policy
	// violation, see …/a4081" (policyviolation from its words; the page
	// says reputation), Aruba PEC's Italian refusal of uncertified mail,
	// Hornetsecurity's "unknown domain or unknown recipient" (hostunknown
	// first), a MAIL FROM refused "for possible spam/virus content" with
	// the client's IP (virusdetected here, blocked in the table), smtpf's
	// "UUCP addressing denied", and Zimbra's LMTP "Mailbox is not on this
	// server" and "Permanent message delivery failure".
	unseen3537PostfixFloor = 472
	unseen3537EximFloor    = 351
	// Tables 38 and 39, run together: 38 real replies of ActiveCampaign's
	// smtp-field-manual not used by table 24 (Gmail, Microsoft, Comcast,
	// Yahoo, Zoho, iCloud, ImprovMX, QQ, Hostpoint, web.de, Mimecast,
	// Proofpoint, Barracuda, FireEye …) and 38 from the source of
	// OpenSMTPD filters, sendmail's proto.m4, iRedAPD, go-smtp, Salmon,
	// maddy, mox and Postal, made before any rule had seen them. Held
	// out, measured at commit 67aa2ba: of 483 and 382 truth rows 306
	// and 258 agreed (63.4%, 67.5%); fields 483/483 and 382/382.
	// Round ah (issue 13): 407/483, 327/382. Left: 4.3.2 under "Internal
	// server error" and "Temporary server error" (notaccept, the code's,
	// as the public tables say for X.3.2; systemerror in the table), the
	// table's network subject for too many connections, sendmail's
	// "Relaying temporarily denied. Cannot resolve PTR record"
	// (requireptr here, norelaying in the table), iRedAPD's bare
	// "Blacklisted" and "Not authorized", QQ's "Suspected spam sender"
	// before DATA (blocked by convention), Zoho's "MailPolicy violation"
	// under 5.2.3, and single wordings that say too little ("BCC not
	// allowed", "Blacklisted keyphrase found", "Invalid email auth
	// token", "rejecting spoofed message", Yahoo's "dd … is no longer
	// valid", a backend's "connection refused" inside a 554).
	unseen3839PostfixFloor = 407
	unseen3839EximFloor    = 327
	// Tables 40 and 41, run together: 46 replies a receiving Postfix
	// sends, from its source (smtpd_check.c, smtpd.c, cleanup, milter8,
	// verify) and postconf(5), and 40 a receiving Exim, qmail-ldap or
	// OpenSMTPD sends, from their source (smtp_in.c, verify.c,
	// qmail-smtpd.c, smtp_session.c), made before any rule had seen
	// them. Held out, measured at commit 6a7111e: of 547 and 455 truth
	// rows 442 and 375 agreed (80.8%, 82.4%); fields 547/547 and
	// 455/455. The two 421 replies to MAIL FROM are tested by their
	// senders; their own recipients' messages were delivered.
	// Round ai (issue 13): 512/547, 424/455. Left: the table's network
	// subject for too many connections and content subject for long
	// lines (notcompliantrfc's subject is security here), Exim's "Could
	// not complete sender/recipient verify callout" (the receiver's own
	// check failing, systemerror here), "recipient address must contain a
	// domain" and Postfix's "Bad sender/recipient address syntax" (X.1.7
	// and X.1.3 decide: rejected, userunknown), Exim's bare "Security
	// failure", a milter's bare "Command rejected", "disallowed
	// character", SMTPUTF8 not declared (the code's X.6.7), and an 8-bit
	// header (contenterror here).
	unseen4041PostfixFloor = 512
	unseen4041EximFloor    = 424
	// Tables 42 and 43, run together: 37 replies a receiving Sendmail
	// (srvrsmtp.c, collect.c, parseaddr.c, proto.m4), hMailServer,
	// Exchange, IIS or Domino sends, and 41 from the source of SMTP
	// server libraries (gen_smtp, nodemailer's smtp-server, aiosmtpd,
	// Twisted, SmtpServer, midi-smtp-server, Mailpit, haraka-dsn,
	// smtp4dev), made before any rule had seen them. Held out, measured
	// at commit 44a28fe: of 475 and 362 truth rows 373 and 285 agreed
	// (78.5%, 78.7%); fields 475/475 and 362/362.
	// Round aj (issue 13): 404/475, 313/362. Left: X.2.3 under "message
	// exceeds maximum fixed size" (exceedlimit, the code's, as README
	// says; emailtoolarge in the table), sendmail's "Too many bad
	// recipients; closing" (syntaxerror here, ratelimited in the table),
	// "other side does not support STARTTLS" (TLS words of the sending
	// side), X.1.7 under "8-bit character in mailbox address" and "Bad
	// sender address syntax" (rejected), X.6.7 "Address requires
	// SMTPUTF8", sendmail's 5.7.1 "Access denied" to MAIL FROM (rejected
	// by the stage), RFC 5321's "exceeded storage allocation" under 5.3.4
	// at MAIL FROM (mailboxfull from the words), gen_smtp's "too busy"
	// (systemerror here), and words that say nothing ("Could not send
	// e-mail", "Not authorized owner", Mailpit's "Chaos recipient error").
	unseen4243PostfixFloor = 404
	unseen4243EximFloor    = 313
	// Tables 44 and 45, run together: 26 replies of self-hosted
	// gateways (Proxmox Mail Gateway's source, ASSP's default texts,
	// Spamhaus DQS reply templates) and 31 of forwarding services
	// (SimpleLogin, addy.io, Forward Email's two code bases, Cloudflare
	// Email Routing), made before any rule had seen them. Held out,
	// measured at commit cdfb601: of 297 and 240 truth rows 214 and 182
	// agreed (72.1%, 75.8%); fields 297/297 and 240/240.
	// Round ak (issue 13): 236/297, 201/240. Left: ASSP's bare "Please
	// try again later" under 4.7.1 (greylisting only by its source),
	// Forward Email's "The domain … is denylisted" (blocked here, the
	// sender's domain in the table) and "Blacklisted domains are not
	// permitted" at MAIL FROM, "[IP] is not a FQDN" at the greeting
	// (blocked here, requireptr in the table), "Missing required DNS MX
	// records" (its own MX not set, norelaying in the table), X.6.7 for a
	// non-ASCII local part (the code's contenterror), Proxmox's internal
	// hand-off failures under 4.4.0/4.5.0, SimpleLogin's "SL E517
	// unverified mailbox", and a restriction "due to spam from
	// onmicrosoft.com" (spamdetected from its words).
	unseen4445PostfixFloor = 236
	unseen4445EximFloor    = 201
)

func TestUnseenTestbed(t *testing.T) {
	dir := filepath.Join("testdata", "testbed")
	for _, tc := range []struct {
		mta, dir, truth string
		logs            []string
		floor           int
		minRows         int // 0: 150
	}{
		{"postfix", "unseen-postfix", "truth-postfix.tsv", []string{"postfix.log"}, unseenPostfixFloor, 0},
		{"exim", "unseen-exim", "truth-exim.tsv", []string{"mainlog", "rejectlog"}, unseenEximFloor, 0},
		{"postfix", "unseen2-postfix", "truth-postfix.tsv", []string{"postfix.log"}, unseen2PostfixFloor, 0},
		{"exim", "unseen2-exim", "truth-exim.tsv", []string{"mainlog", "rejectlog"}, unseen2EximFloor, 0},
		{"postfix", "unseen3-postfix", "truth-postfix.tsv", []string{"postfix.log"}, unseen3PostfixFloor, 0},
		{"exim", "unseen3-exim", "truth-exim.tsv", []string{"mainlog", "rejectlog"}, unseen3EximFloor, 0},
		{"postfix", "unseen4-postfix", "truth-postfix.tsv", []string{"postfix.log"}, unseen4PostfixFloor, 0},
		{"exim", "unseen4-exim", "truth-exim.tsv", []string{"mainlog", "rejectlog"}, unseen4EximFloor, 0},
		{"postfix", "unseen5-postfix", "truth-postfix.tsv", []string{"postfix.log"}, unseen5PostfixFloor, 0},
		{"exim", "unseen5-exim", "truth-exim.tsv", []string{"mainlog", "rejectlog"}, unseen5EximFloor, 0},
		{"postfix", "unseen6-postfix", "truth-postfix.tsv", []string{"postfix.log"}, unseen6PostfixFloor, 0},
		{"exim", "unseen6-exim", "truth-exim.tsv", []string{"mainlog", "rejectlog"}, unseen6EximFloor, 0},
		{"postfix", "unseen7-postfix", "truth-postfix.tsv", []string{"postfix.log"}, unseen7PostfixFloor, 0},
		{"exim", "unseen7-exim", "truth-exim.tsv", []string{"mainlog", "rejectlog"}, unseen7EximFloor, 0},
		{"postfix", "unseen8-postfix", "truth-postfix.tsv", []string{"postfix.log"}, unseen8PostfixFloor, 100},
		{"exim", "unseen8-exim", "truth-exim.tsv", []string{"mainlog", "rejectlog"}, unseen8EximFloor, 100},
		{"postfix", "unseen9-postfix", "truth-postfix.tsv", []string{"postfix.log"}, unseen9PostfixFloor, 0},
		{"exim", "unseen9-exim", "truth-exim.tsv", []string{"mainlog", "rejectlog"}, unseen9EximFloor, 0},
		{"postfix", "unseen10-postfix", "truth-postfix.tsv", []string{"postfix.log"}, unseen10PostfixFloor, 0},
		{"exim", "unseen10-exim", "truth-exim.tsv", []string{"mainlog", "rejectlog"}, unseen10EximFloor, 140},
		{"postfix", "unseen11-postfix", "truth-postfix.tsv", []string{"postfix.log"}, unseen11PostfixFloor, 0},
		{"exim", "unseen11-exim", "truth-exim.tsv", []string{"mainlog", "rejectlog"}, unseen11EximFloor, 0},
		{"postfix", "unseen12-postfix", "truth-postfix.tsv", []string{"postfix.log"}, unseen12PostfixFloor, 0},
		{"exim", "unseen12-exim", "truth-exim.tsv", []string{"mainlog", "rejectlog"}, unseen12EximFloor, 0},
		{"postfix", "unseen13-postfix", "truth-postfix.tsv", []string{"postfix.log"}, unseen13PostfixFloor, 0},
		{"exim", "unseen13-exim", "truth-exim.tsv", []string{"mainlog", "rejectlog"}, unseen13EximFloor, 0},
		{"postfix", "unseen14-postfix", "truth-postfix.tsv", []string{"postfix.log"}, unseen14PostfixFloor, 0},
		{"exim", "unseen14-exim", "truth-exim.tsv", []string{"mainlog", "rejectlog"}, unseen14EximFloor, 0},
		{"postfix", "unseen15-postfix", "truth-postfix.tsv", []string{"postfix.log"}, unseen15PostfixFloor, 0},
		{"exim", "unseen15-exim", "truth-exim.tsv", []string{"mainlog", "rejectlog"}, unseen15EximFloor, 0},
		{"postfix", "unseen16-postfix", "truth-postfix.tsv", []string{"postfix.log"}, unseen16PostfixFloor, 0},
		{"exim", "unseen16-exim", "truth-exim.tsv", []string{"mainlog", "rejectlog"}, unseen16EximFloor, 140},
		{"postfix", "unseen17-postfix", "truth-postfix.tsv", []string{"postfix.log"}, unseen17PostfixFloor, 0},
		{"exim", "unseen17-exim", "truth-exim.tsv", []string{"mainlog", "rejectlog"}, unseen17EximFloor, 0},
		{"postfix", "unseen18-postfix", "truth-postfix.tsv", []string{"postfix.log"}, unseen18PostfixFloor, 0},
		{"exim", "unseen18-exim", "truth-exim.tsv", []string{"mainlog", "rejectlog"}, unseen18EximFloor, 140},
		{"postfix", "unseen19-postfix", "truth-postfix.tsv", []string{"postfix.log"}, unseen19PostfixFloor, 70},
		{"exim", "unseen19-exim", "truth-exim.tsv", []string{"mainlog", "rejectlog"}, unseen19EximFloor, 65},
		{"postfix", "unseen20-postfix", "truth-postfix.tsv", []string{"postfix.log"}, unseen20PostfixFloor, 0},
		{"exim", "unseen20-exim", "truth-exim.tsv", []string{"mainlog", "rejectlog"}, unseen20EximFloor, 0},
		{"postfix", "unseen21-22-postfix", "truth-postfix.tsv", []string{"postfix.log"}, unseen2122PostfixFloor, 0},
		{"exim", "unseen21-22-exim", "truth-exim.tsv", []string{"mainlog", "rejectlog"}, unseen2122EximFloor, 130},
		{"postfix", "unseen23-24-postfix", "truth-postfix.tsv", []string{"postfix.log"}, unseen2324PostfixFloor, 0},
		{"exim", "unseen23-24-exim", "truth-exim.tsv", []string{"mainlog", "rejectlog"}, unseen2324EximFloor, 0},
		{"postfix", "unseen25-26-postfix", "truth-postfix.tsv", []string{"postfix.log"}, unseen2526PostfixFloor, 0},
		{"exim", "unseen25-26-exim", "truth-exim.tsv", []string{"mainlog", "rejectlog"}, unseen2526EximFloor, 0},
		{"postfix", "unseen27-28-postfix", "truth-postfix.tsv", []string{"postfix.log"}, unseen2728PostfixFloor, 0},
		{"exim", "unseen27-28-exim", "truth-exim.tsv", []string{"mainlog", "rejectlog"}, unseen2728EximFloor, 0},
		{"postfix", "unseen29-30-postfix", "truth-postfix.tsv", []string{"postfix.log"}, unseen2930PostfixFloor, 0},
		{"exim", "unseen29-30-exim", "truth-exim.tsv", []string{"mainlog", "rejectlog"}, unseen2930EximFloor, 0},
		{"postfix", "unseen31-32-postfix", "truth-postfix.tsv", []string{"postfix.log"}, unseen3132PostfixFloor, 0},
		{"exim", "unseen31-32-exim", "truth-exim.tsv", []string{"mainlog", "rejectlog"}, unseen3132EximFloor, 0},
		{"postfix", "unseen33-34-postfix", "truth-postfix.tsv", []string{"postfix.log"}, unseen3334PostfixFloor, 0},
		{"exim", "unseen33-34-exim", "truth-exim.tsv", []string{"mainlog", "rejectlog"}, unseen3334EximFloor, 0},
		{"postfix", "unseen35-37-postfix", "truth-postfix.tsv", []string{"postfix.log"}, unseen3537PostfixFloor, 0},
		{"exim", "unseen35-37-exim", "truth-exim.tsv", []string{"mainlog", "rejectlog"}, unseen3537EximFloor, 0},
		{"postfix", "unseen38-39-postfix", "truth-postfix.tsv", []string{"postfix.log"}, unseen3839PostfixFloor, 0},
		{"exim", "unseen38-39-exim", "truth-exim.tsv", []string{"mainlog", "rejectlog"}, unseen3839EximFloor, 0},
		{"postfix", "unseen40-41-postfix", "truth-postfix.tsv", []string{"postfix.log"}, unseen4041PostfixFloor, 0},
		{"exim", "unseen40-41-exim", "truth-exim.tsv", []string{"mainlog", "rejectlog"}, unseen4041EximFloor, 0},
		{"postfix", "unseen42-43-postfix", "truth-postfix.tsv", []string{"postfix.log"}, unseen4243PostfixFloor, 0},
		{"exim", "unseen42-43-exim", "truth-exim.tsv", []string{"mainlog", "rejectlog"}, unseen4243EximFloor, 0},
		{"postfix", "unseen44-45-postfix", "truth-postfix.tsv", []string{"postfix.log"}, unseen4445PostfixFloor, 0},
		{"exim", "unseen44-45-exim", "truth-exim.tsv", []string{"mainlog", "rejectlog"}, unseen4445EximFloor, 0},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			minRows := tc.minRows
			if minRows == 0 {
				minRows = 150
			}
			checkUnseenRun(t, tc.mta, filepath.Join(dir, tc.dir), tc.truth, tc.logs, tc.floor, minRows)
		})
	}
}

// checkUnseenRun parses the logs of one run with the MTA's parser, finds
// every truth row's event on its log line (parsekittest.TruthRow.Match:
// queue id, recipient, status, reply code, enhanced code, stage) and
// classifies it.
func checkUnseenRun(t *testing.T, mta, dir, truthFile string, logs []string, floor, minRows int) {
	opts := parsekit.Options{Year: 2026, Location: time.UTC}
	byLine := map[string]map[string][]*bouncescan.Event{}
	for _, name := range logs {
		var p parsekittest.Parser = postfix.New(opts)
		if mta == "exim" {
			p = exim.New(opts)
		}
		path := filepath.Join(dir, name)
		got := parsekittest.ParseFile(t, p, path)
		lines := readLines(t, path)
		for _, err := range got.Errs {
			if !errors.Is(err, bouncescan.ErrNotMine) && !errors.Is(err, bouncescan.ErrNotice) {
				t.Errorf("%s: unparsed line: %v", name, err)
			}
		}
		m := map[string][]*bouncescan.Event{}
		for i := range got.Events {
			e := &got.Events[i]
			m[lines[e.Line-1]] = append(m[lines[e.Line-1]], e)
		}
		byLine[name] = m
	}
	rows := parsekittest.TruthRows(t, filepath.Join(dir, truthFile))
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	used := map[*bouncescan.Event]bool{}
	matched, agree, unknowable := 0, 0, 0
	greeting := map[string]bool{}
	for _, want := range rows {
		file := want.File
		if file == "" {
			file = logs[0]
		}
		rcptNamed := strings.Contains(want.LogLine, "RCPT <")
		if mta == "postfix" {
			if want.PostfixKnowable(greeting) {
				unknowable++
			}
			rcptNamed = strings.Contains(want.LogLine, "to=<")
		}
		found, near := want.Match(byLine[file][want.LogLine], used, rcptNamed)
		if found == nil {
			t.Errorf("fields: no event for truth row %s %s %s %s (code %d, enhanced %q, stage %s); events on that line: %v\n  %s",
				want.Scenario, want.Status, want.QueueID, want.Recipient, want.Code, want.Enhanced, want.Stage, near, want.LogLine)
			continue
		}
		used[found] = true
		matched++
		if w, ok := superseded[want.Scenario]; ok && want.Status != "sent" {
			class, _, _ := strings.Cut(want.Verdict, "/")
			want.Verdict = class + "/" + w[0] + "/" + w[1]
		}
		v := c.Classify(found)
		if got := v.Class.String() + "/" + v.Subject.String() + "/" + v.Reason; got == want.Verdict {
			agree++
		} else {
			t.Logf("verdict miss %s %s %s [%s]: got %s (rule %s, evidence %q), want %s\n  text: %q",
				want.Scenario, want.Status, want.QueueID, want.Stage, got, v.Rule, v.Evidence, want.Verdict, found.Text)
		}
	}
	n := len(rows)
	t.Logf("%s unseen run: fields %d/%d rows matched (%d with a 4xx EHLO reply read as a greeting); verdicts %d/%d agree (%.1f%%)",
		mta, matched, n, unknowable, agree, n, 100*float64(agree)/float64(max(n, 1)))
	if n < minRows {
		t.Errorf("only %d truth rows, want at least %d", n, minRows)
	}
	if matched != n {
		t.Errorf("fields: matched %d of %d truth rows, want all", matched, n)
	}
	if agree < floor {
		t.Errorf("verdicts: %d of %d rows agree, below the floor of %d", agree, n, floor)
	}
}

// readLines returns the lines of the file at path (index = line number - 1).
func readLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(string(data), "\n")
}
