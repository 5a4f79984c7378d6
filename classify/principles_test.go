package classify

import (
	"testing"

	"github.com/bouncescan/bouncescan"
)

// The principles of README "How a verdict is decided", each on texts that
// no rule was written from (issue 13): a specific code keeps its meaning
// against generic words, expiry words give way to the cause a code names,
// a generic code gives way to text and stage, greylisting and discards say
// so, bare network failures are transient.
func TestPrinciples(t *testing.T) {
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		text   string
		stage  bouncescan.Stage
		class  bouncescan.Class
		reason string
	}{
		// a specific code against a generic restatement
		{"452 4.2.2 Temporary failure, please try again later", 0, bouncescan.ClassTransient, "mailboxfull"},
		{"550 5.1.1 System error", 0, bouncescan.ClassPermanent, "userunknown"},
		{"554 5.2.2 Service not available", 0, bouncescan.ClassPermanent, "mailboxfull"},
		{"550 5.7.606 Service unavailable, try again later", 0, bouncescan.ClassPermanent, "blocked"},
		// a precise code beats a text of the same subject
		{"550 5.1.6 not our customer", 0, bouncescan.ClassPermanent, "hasmoved"},
		// expiry words: the cause a specific code names wins, else expired
		{"Sorry, something went wrong (#4.4.1) I'm not going to try again; this message has been in the queue too long.", 0, bouncescan.ClassTransient, "networkerror"},
		{"Unable to reach the directory (#4.4.3) this message has been in the queue too long.", 0, bouncescan.ClassTransient, "systemerror"},
		{"this message has been in the queue too long", 0, bouncescan.ClassPermanent, "expired"},
		{"Message could not be delivered within 3 days", 0, bouncescan.ClassPermanent, "expired"},
		{"delivery failed after 17 attempts", 0, bouncescan.ClassPermanent, "expired"},
		// a generic X.Y.0 code gives way to the stage
		{"550 5.5.0 Go away", bouncescan.StageConnect, bouncescan.ClassPermanent, "blocked"},
		// X.7.1 in reply to MAIL FROM refuses the sender
		{"550 5.7.1 Not today", bouncescan.StageMail, bouncescan.ClassPermanent, "rejected"},
		// grammars: account locked, reverse DNS, refused IP, no valid recipient
		{"550 5.0.0 The mailbox of bob is currently locked", 0, bouncescan.ClassPermanent, "suspend"},
		{"550 Requested action not taken: user account suspended", 0, bouncescan.ClassPermanent, "suspend"},
		{"450 4.7.1 Client IP name lookup failed", bouncescan.StageRcpt, bouncescan.ClassTransient, "requireptr"},
		{"554 Your IP address 198.51.100.7 has been banned", bouncescan.StageRcpt, bouncescan.ClassPermanent, "blocked"},
		{"550 No valid recipient in this transaction", 0, bouncescan.ClassPermanent, "userunknown"},
		// greylisting, discards, network failures without code or status
		{"450 4.2.0 Recipient address rejected: Greylisted for 300 seconds", bouncescan.StageRcpt, bouncescan.ClassTransient, "greylisted"},
		{"message thrown into :blackhole:", 0, bouncescan.ClassSuccess, "discarded"},
		{"discarded by the discard transport", 0, bouncescan.ClassSuccess, "discarded"},
		{"Connection refused", 0, bouncescan.ClassTransient, "networkerror"},
		{"lost connection with mx.example.net[192.0.2.1] while sending RCPT TO", 0, bouncescan.ClassTransient, "networkerror"},
		{"Host or domain name not found. Name service error for name=example.net type=MX: Host not found, try again", 0, bouncescan.ClassTransient, "networkerror"},
		// the same in other MTAs' own words: Sendmail's "Deferred:" stat,
		// Exim's unfinished look-up, timeouts and dropped connections,
		// the resolver's EAI_AGAIN; an MTA that gave up says so
		{"Deferred: Name server timeout", 0, bouncescan.ClassTransient, "networkerror"},
		{"Deferred: local mailer (/usr/lib/dovecot/deliver) exited with EX_TEMPFAIL", 0, bouncescan.ClassTransient, "mailererror"},
		{"host lookup did not complete", 0, bouncescan.ClassTransient, "networkerror"},
		{"SMTP timeout after end of data (1234 bytes written)", 0, bouncescan.ClassTransient, "networkerror"},
		{"Remote host mx2.example.org [203.0.113.9] closed connection in response to initial connection", 0, bouncescan.ClassTransient, "networkerror"},
		{"unexpected disconnection while reading SMTP command from (client) [198.51.100.4]", 0, bouncescan.ClassTransient, "networkerror"},
		{"Temporary failure in name resolution", 0, bouncescan.ClassTransient, "networkerror"},
		{"retry timeout exceeded", 0, bouncescan.ClassPermanent, "expired"},
		// provider lists (issue 13 additions)
		{"421 4.7.0 IP not in whitelist for RCPT domain, closing connection.", 0, bouncescan.ClassTransient, "blocked"},
		{"421 4.7.28 Gmail has detected an unusual rate of mail originating from your SPF domain", 0, bouncescan.ClassTransient, "ratelimited"},
		{"421 4.7.1 Messages to a@icloud.example deferred due to excessive volume. Try again later", 0, bouncescan.ClassTransient, "ratelimited"},
	} {
		v := c.Classify(&bouncescan.Event{Text: tc.text, Stage: tc.stage})
		if v.Reason != tc.reason || v.Class != tc.class {
			t.Errorf("%q (stage %v): got %v/%s (rule %s), want %v/%s", tc.text, tc.stage, v.Class, v.Reason, v.Rule, tc.class, tc.reason)
		}
	}
}

// Outcomes the local configuration caused, in the MTA's own words: a
// queue policy that held the message without any attempt is `queued`,
// errors naming the system's own routers, transports or files are
// `systemerror`, a route back to the local host is a network error. The
// texts are Exim's and Postfix's defaults in other instances (other
// router, transport and file names than the corpus has).
func TestLocalPolicyAndConfig(t *testing.T) {
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		text   string
		stage  bouncescan.Stage
		status bouncescan.Status
		class  bouncescan.Class
		reason string
	}{
		{"SMTP delivery explicitly queued", bouncescan.StageLocal, bouncescan.StatusDeferred, bouncescan.ClassTransient, "queued"},
		{"domain is held", bouncescan.StageLocal, bouncescan.StatusDeferred, bouncescan.ClassTransient, "queued"},
		{"deferred transport", 0, bouncescan.StatusDeferred, bouncescan.ClassTransient, "queued"},
		{"first-pass only routing due to -odqs", bouncescan.StageLocal, bouncescan.StatusDeferred, bouncescan.ClassTransient, "queued"},
		// a remote server's words are not our queue policy
		{"451 4.3.0 domain is held", bouncescan.StageRcpt, bouncescan.StatusDeferred, bouncescan.ClassTransient, "systemerror"},
		// a lookup the configuration needed deferred: the system's error, not a policy
		{"recipients check lookup or other defer", bouncescan.StageLocal, bouncescan.StatusDeferred, bouncescan.ClassTransient, "systemerror"},
		{"queue_smtp_domains lookup deferred", bouncescan.StageLocal, bouncescan.StatusDeferred, bouncescan.ClassTransient, "systemerror"},
		{"invalid quota in maildir_home transport", bouncescan.StageLocal, bouncescan.StatusDeferred, bouncescan.ClassTransient, "systemerror"},
		{"user root set for remote_smtp transport is on the never_users list", bouncescan.StageLocal, bouncescan.StatusDeferred, bouncescan.ClassTransient, "systemerror"},
		{"Is a directory: while opening /var/mail/bob", bouncescan.StageLocal, bouncescan.StatusDeferred, bouncescan.ClassTransient, "systemerror"},
		{"host lookup for mx.example.org did not complete (DNS timeout?)", 0, bouncescan.StatusDeferred, bouncescan.ClassTransient, "networkerror"},
		{"remote_smtp transport found host 192.0.2.9 to be local", 0, bouncescan.StatusDeferred, bouncescan.ClassTransient, "networkerror"},
		{"message body contains binary zero characters", bouncescan.StageData, bouncescan.StatusRejected, bouncescan.ClassPermanent, "contenterror"},
	} {
		v := c.Classify(&bouncescan.Event{Text: tc.text, Stage: tc.stage, Status: tc.status})
		if v.Reason != tc.reason || v.Class != tc.class {
			t.Errorf("%q (stage %v, %v): %v/%s by %s, want %v/%s", tc.text, tc.stage, tc.status, v.Class, v.Reason, v.Rule, tc.class, tc.reason)
		}
	}
}

// The MTAs' own texts for local and routing failures, as Postfix, Exim and
// Sendmail write them (from their sources and manuals, in other instances
// than any sample): each names what failed.
func TestMTADefaultTexts(t *testing.T) {
	checkReasons(t, []reasonCase{
		{0, "", 0, "mail transport unavailable", "systemerror"},
		{0, "", 0, "unknown mail transport error", "systemerror"},
		{0, "", bouncescan.StageConnect, "connect to private/lmtp[private/lmtp]: No such file or directory", "systemerror"},
		{0, "", 0, "queue file write error", "systemerror"},
		{0, "", 0, "Can't create output", "systemerror"},
		{0, "", 0, "Command died with signal 11: \"/usr/libexec/dovecot/dovecot-lda\"", "mailererror"},
		{0, "", bouncescan.StageStartTLS, "Server certificate not verified", "failedstarttls"},
		{0, "", 0, "all relevant MX records point to non-existent hosts", "hostunknown"},
		{0, "", 0, "all host address lookups failed permanently", "hostunknown"},
		{0, "", 0, "Cannot send message for 4 days", "expired"},
		{0, "", bouncescan.StageConnect, "lost connection: server dropped connection without sending the initial SMTP greeting", "networkerror"},
		{0, "", bouncescan.StageRcpt, "Too many recipients", "exceedlimit"},
		// a limit per hour is a rate, not the size of one transaction
		{0, "", bouncescan.StageRcpt, "Too many recipients received this hour", "ratelimited"},
		// a forbidden attachment, however the sentence runs
		{0, "", bouncescan.StageEndOfData, "550 5.7.1 Message rejected as it contains an attachment type that is not permitted", "policyviolation"},
	})
}

// Round h (issue 13), from what the fourth held-out run's misses mean,
// each checked on other wordings of the same meaning than the run had.
func TestRoundH(t *testing.T) {
	checkReasons(t, []reasonCase{
		{550, "", bouncescan.StageRcpt, "Relaying disabled for this domain", "norelaying"},
		{550, "", bouncescan.StageRcpt, "We accept mail only for local recipients", "norelaying"},
		{550, "", bouncescan.StageData, "SMTP protocol violation", "syntaxerror"},
		{554, "", bouncescan.StageConnect, "Your IP address 192.0.2.7 has been refused", "blocked"},
		{550, "5.7.1", bouncescan.StageMail, "Envelope sender bob@example.org is on our blacklist", "rejected"},
		// the client's IP on a list stays a block
		{554, "", bouncescan.StageConnect, "Your IP 192.0.2.7 is blacklisted", "blocked"},
		{452, "4.7.1", bouncescan.StageRcpt, "Sending rate for this account is too high, slow down", "ratelimited"},
		{451, "4.7.0", bouncescan.StageMail, "DMARC check: temporary error looking up the policy", "networkerror"},
		{450, "", bouncescan.StageMail, "SPF TEMPERROR for sender.example", "networkerror"},
		{550, "", bouncescan.StageRcpt, "Administrative prohibition", "policyviolation"},
		{501, "", bouncescan.StageHelo, "Syntactically invalid HELO argument(s)", "notcompliantrfc"},
		{553, "", bouncescan.StageMail, "Invalid sender address syntax", "rejected"},
		{553, "", bouncescan.StageRcpt, "Bad destination mailbox address syntax", "userunknown"},
		{451, "", bouncescan.StageRcpt, "Timeout while checking the recipient", "networkerror"},
		{0, "", bouncescan.StageLocal, "transport filter timeout while writing to pipe", "mailererror"},
		// provider lists checked against archived copies of their pages
		{421, "", bouncescan.StageConnect, "RP-003 The mail server IP connecting to Outlook.com server has exceeded the connection limit allowed", "toomanyconn"},
		{421, "", bouncescan.StageConnect, "RP-001 The mail server IP connecting to Outlook.com server has exceeded the rate limit allowed", "ratelimited"},
		{554, "", bouncescan.StageEndOfData, "Message refused [PH02]", "policyviolation"},
	})
}

// Round i (issue 13), from what the fifth held-out run's misses mean, on
// other wordings than the run had.
func TestRoundI(t *testing.T) {
	checkReasons(t, []reasonCase{
		{550, "", bouncescan.StageRcpt, "The recipient bob@example.org does not exist on this server", "userunknown"},
		{550, "", bouncescan.StageRcpt, "Mailbox bob is not allowed to receive mail any more", "suspend"},
		{552, "", bouncescan.StageEndOfData, "Attachment size exceeds the allowed maximum", "emailtoolarge"},
		{452, "", bouncescan.StageRcpt, "Insufficient space in the recipient's mailbox", "mailboxfull"},
		{550, "", bouncescan.StageRcpt, "Authentication is needed for relaying to a remote domain", "norelaying"},
		{554, "5.6.0", bouncescan.StageEndOfData, "Unable to parse the message headers", "contenterror"},
		{550, "", bouncescan.StageHelo, "Invalid HELO hostname", "notcompliantrfc"},
		{553, "5.7.1", bouncescan.StageMail, "Sender rejected: you are not authorized to send as this address", "securityerror"},
		{530, "", bouncescan.StageMail, "Server requires authentication before accepting mail", "securityerror"},
		// Exim's own configuration stays the system's
		{0, "", bouncescan.StageLocal, "mailbox /var/mail/x does not exist, but creation outside the home directory is not permitted", "systemerror"},
	})
}

// reasonCase is a reply at a stage and the reason it must get.
type reasonCase struct {
	reply  int
	enh    string
	stage  bouncescan.Stage
	text   string
	reason string
}

// checkReasons classifies each case with the built-in rules.
func checkReasons(t *testing.T, cases []reasonCase) {
	t.Helper()
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		v := c.Classify(&bouncescan.Event{ReplyCode: tc.reply, EnhancedCode: tc.enh, Stage: tc.stage, Text: tc.text})
		if v.Reason != tc.reason {
			t.Errorf("%d %s %q (stage %v): %s by %s, want %s", tc.reply, tc.enh, tc.text, tc.stage, v.Reason, v.Rule, tc.reason)
		}
	}
}

// Round j (issue 13), from what the sixth held-out run's misses mean, on
// other wordings than the run had.
func TestRoundJ(t *testing.T) {
	checkReasons(t, []reasonCase{
		{550, "5.7.1", bouncescan.StageRcpt, "This address never sends mail: no bounces accepted", "policyviolation"},
		{554, "5.7.1", bouncescan.StageEndOfData, "Message contains the Mydoom worm", "virusdetected"},
		{421, "", bouncescan.StageRcpt, "Too many invalid commands, closing connection", "syntaxerror"},
		{503, "", bouncescan.StageMail, "Send HELO first", "syntaxerror"},
		{450, "4.7.1", bouncescan.StageRcpt, "No DNS records for your host, contact your administrator", "requireptr"},
		{550, "5.7.1", bouncescan.StageRcpt, "Client blocked due to repeated authentication failures", "blocked"},
		{554, "5.7.1", bouncescan.StageMail, "Sender address rejected: SMTP authentication is required for this domain", "securityerror"},
		{553, "5.7.1", bouncescan.StageMail, "Sender address rejected: not the same as the SASL login name", "securityerror"},
		{550, "", bouncescan.StageHelo, "Don't use my hostname in HELO", "notcompliantrfc"},
		{451, "4.3.0", bouncescan.StageEndOfData, "Unable to write the message to the queue", "systemerror"},
		{421, "", bouncescan.StageConnect, "STARTTLS not available here, but required by policy", "failedstarttls"},
	})
}

// Round k (issue 13), from what the seventh held-out run's misses mean, on
// other wordings than the run had.
func TestRoundK(t *testing.T) {
	checkReasons(t, []reasonCase{
		{451, "4.7.24", bouncescan.StageMail, "Temporary failure while checking SPF", "networkerror"},
		{451, "4.7.20", bouncescan.StageEndOfData, "DKIM verification: temporary error, try later", "networkerror"},
		// a check that failed stays an authentication failure
		{550, "5.7.20", bouncescan.StageEndOfData, "No valid DKIM signature found", "authfailure"},
		{451, "4.3.0", bouncescan.StageEndOfData, "Failed to sign the message with DKIM", "systemerror"},
		{553, "5.7.1", bouncescan.StageMail, "Unauthorised use of this sender address", "securityerror"},
		{550, "5.7.27", bouncescan.StageMail, "The envelope sender's domain has a null MX", "rejected"},
		{550, "", bouncescan.StageMail, "Return-path domain publishes a null MX", "rejected"},
		{501, "", bouncescan.StageHelo, "Hostname required for EHLO", "notcompliantrfc"},
		{550, "", bouncescan.StageMail, "Missing A records for your HELO name", "notcompliantrfc"},
		{554, "", bouncescan.StageConnect, "SMTP synchronisation error: you talked too soon", "syntaxerror"},
	})
}

// Round l (issue 13), from what the eighth held-out run's misses mean, on
// other wordings than the run had.
func TestRoundL(t *testing.T) {
	checkReasons(t, []reasonCase{
		{421, "", bouncescan.StageConnect, "Connection rate too high from your network", "toomanyconn"},
		{450, "", bouncescan.StageRcpt, "More than 50 emails within 10 minutes, slow down", "ratelimited"},
		{554, "", bouncescan.StageConnect, "Sender IP refused", "blocked"},
		{550, "", bouncescan.StageHelo, "HELO hostname cannot resolve", "notcompliantrfc"},
		{553, "", bouncescan.StageMail, "Sender must be the logged-in user", "securityerror"},
		{550, "", bouncescan.StageRcpt, "We are not accepting mail for this domain", "norelaying"},
		{451, "", bouncescan.StageRcpt, "Name resolution failure, try later", "networkerror"},
		{451, "4.4.3", bouncescan.StageRcpt, "Directory lookup failed", "systemerror"},
	})
}

// Round m (issue 13), from what the ninth held-out run's misses mean, on
// other wordings than the run had.
func TestRoundM(t *testing.T) {
	checkReasons(t, []reasonCase{
		{421, "", bouncescan.StageConnect, "You talked too early, goodbye", "syntaxerror"},
		{554, "", bouncescan.StageConnect, "Client began sending before the banner", "syntaxerror"},
		{554, "", bouncescan.StageConnect, "pre-greeting traffic after 2 seconds", "syntaxerror"},
		{503, "5.5.1", bouncescan.StageMail, "HELO or EHLO first", "syntaxerror"},
		{503, "", bouncescan.StageMail, "Bad sequence: need EHLO first", "syntaxerror"},
		{553, "5.1.7", bouncescan.StageMail, "Sender address rejected: not owned by you", "rejected"},
		{550, "", bouncescan.StageHelo, "You are not mail.example.org, go away", "notcompliantrfc"},
		{550, "", bouncescan.StageHelo, "I do not believe you are localhost", "notcompliantrfc"},
		{550, "", bouncescan.StageHelo, "Your HELO name fails forward-confirmed reverse DNS", "requireptr"},
		{450, "", bouncescan.StageMail, "SPF check: no DNS answer", "networkerror"},
		{550, "5.7.23", bouncescan.StageMail, "SPF check failed: not permitted", "authfailure"},
		{451, "", bouncescan.StageEndOfData, "Virus scanner unavailable, try again later", "systemerror"},
		{451, "4.3.0", bouncescan.StageEndOfData, "clamd not responding", "systemerror"},
		{554, "5.7.1", bouncescan.StageEndOfData, "Message failed virus scan: infected with Eicar", "virusdetected"},
		{554, "", bouncescan.StageMail, "Access refused due to lack of security, use STARTTLS", "failedstarttls"},
		{421, "", bouncescan.StageConnect, "Too many clients connected, please retry", "toomanyconn"},
		{451, "4.3.0", bouncescan.StageRcpt, "Too many concurrent deliveries to this mailbox", "ratelimited"},
		{450, "", bouncescan.StageRcpt, "Failed to process your request, retry later", "systemerror"},
		{550, "", bouncescan.StageRcpt, "This mailbox no longer accepts incoming mail", "suspend"},
		{550, "", bouncescan.StageRcpt, "This domain does not accept mail", "notaccept"},
		{550, "5.7.135", bouncescan.StageRcpt, "Sender not authenticated for public folder", "rejected"},
		{550, "5.7.703", bouncescan.StageRcpt, "Delivery blocked by your organization's recipient block list", "policyviolation"},
		{550, "5.7.705", bouncescan.StageRcpt, "Access denied, tenant has exceeded threshold", "blocked"},
		{432, "4.3.2", bouncescan.StageEndOfData, "STOREDRV.Deliver; mailbox thread limit exceeded", "ratelimited"},
		{553, "5.1.3", bouncescan.StageRcpt, "Bad address syntax", "userunknown"},
		{553, "", bouncescan.StageRcpt, "malformed address", "syntaxerror"},
	})
}

// Round n (issue 13), from what the tenth held-out run's misses mean, on
// other wordings than the run had: NetEase's code list read as a whole
// (codes the run did not use too), a connection frequency is a
// connection limit, a source of spam or of a bounce flood is refused as a
// client, repeated failed logins are the client's authentication, "bad
// syntax" is a syntax error at any stage.
func TestRoundN(t *testing.T) {
	checkReasons(t, []reasonCase{
		{421, "", bouncescan.StageConnect, "421 HL:IFC 126 smtp3,DMmowAB3 1733122800", "ratelimited"},
		{421, "", bouncescan.StageConnect, "HL:MEP 163 mx3,QsCow 1733122800, please see http://mail.163.com/help/help_spam_16.htm", "blocked"},
		{554, "", bouncescan.StageConnect, "HL:IHU 126 mx7", "badreputation"},
		{450, "", bouncescan.StageMail, "MI:CEL 163 mx1", "blocked"},
		{550, "", bouncescan.StageMail, "MI:SPF 126 mx2,please see", "authfailure"},
		{550, "", bouncescan.StageMail, "MI:IMF 163 mx9", "rejected"},
		{550, "", bouncescan.StageRcpt, "RP:CEL 163 mx5", "blocked"},
		{550, "", bouncescan.StageEndOfData, "DT:SUM 126 smtp8", "policyviolation"},
		{550, "", bouncescan.StageHelo, "MI:NHD 163 mx4", "notcompliantrfc"},
		{421, "", bouncescan.StageConnect, "Connection rate limit exceeded for your IP", "toomanyconn"},
		{450, "", bouncescan.StageConnect, "Too frequent connections from 192.0.2.1", "toomanyconn"},
		{554, "", bouncescan.StageRcpt, "Your IP address is a known spam source", "blocked"},
		{550, "", bouncescan.StageMail, "Rejected: bounce flood from your server", "blocked"},
		{550, "", bouncescan.StageEndOfData, "Message looks like spam", "spamdetected"},
		{454, "", bouncescan.StageMail, "Too many failed login attempts, try later", "securityerror"},
		{535, "", bouncescan.StageMail, "failed authentication, try again in 10 minutes", "securityerror"},
		{500, "", bouncescan.StageHelo, "Bad syntax in command", "syntaxerror"},
	})
}

// Round o (issue 13), from what the eleventh held-out run's misses mean,
// on other wordings than the run had: a text naming a more specific
// cause than its code decides (the maximum of sessions at once, a
// mailbox the store cannot get at, a failing content scanner, resources
// used up, a disabled account, the format's RFC), and under a specific
// X.5 code the command's syntax is the code's; a closed mailbox is
// suspended, relaying that needs authentication is refused relaying, a
// subject or an empty message are the content's, "not more than once per
// N minutes" is a rate, an invalid EHLO is a HELO that does not comply.
func TestRoundO(t *testing.T) {
	checkReasons(t, []reasonCase{
		{421, "4.5.1", bouncescan.StageConnect, "Maximum number of simultaneous connections reached", "toomanyconn"},
		{550, "", bouncescan.StageHelo, "Bad EHLO argument, go away", "notcompliantrfc"},
		{452, "4.2.2", bouncescan.StageRcpt, "Mail store lock failure for user", "systemerror"},
		{451, "4.3.2", bouncescan.StageConnect, "Spam filter problem, try later", "systemerror"},
		{452, "4.3.4", bouncescan.StageRcpt, "Server resources exhausted", "systemfull"},
		{501, "5.5.4", bouncescan.StageMail, "Sender address syntax error in MAIL FROM", "syntaxerror"},
		{501, "5.5.2", bouncescan.StageRcpt, "Recipient syntax error", "syntaxerror"},
		{553, "5.1.7", bouncescan.StageMail, "Sender address syntax error", "rejected"},
		{554, "5.6.0", bouncescan.StageEndOfData, "Message headers do not comply with RFC 5322", "notcompliantrfc"},
		{554, "5.6.0", bouncescan.StageEndOfData, "Bad header encoding", "contenterror"},
		{550, "", bouncescan.StageRcpt, "Mailbox has been closed by its owner", "suspend"},
		{550, "5.1.1", bouncescan.StageRcpt, "user account permanently disabled", "suspend"},
		{550, "", bouncescan.StageRcpt, "Relay requires SMTP authentication", "norelaying"},
		{550, "", bouncescan.StageEndOfData, "Subject line is forbidden by policy", "policyviolation"},
		{554, "", bouncescan.StageEndOfData, "Empty message body", "contenterror"},
		{450, "4.7.1", bouncescan.StageRcpt, "Do not send more than 10 messages per minute", "ratelimited"},
	})
}

// Round p (issue 13), from what the misses of the public Sisimai held-out
// set (testdata/sisimai-heldout) mean, on other wordings than its rows.
func TestRoundP(t *testing.T) {
	checkReasons(t, []reasonCase{
		{550, "", bouncescan.StageRcpt, "The email address you entered couldn't be found, check it for typos", "userunknown"},
		{554, "", bouncescan.StageRcpt, "Mail service currently unavailable", "systemerror"},
		{552, "", bouncescan.StageRcpt, "The mailbox exceeds the maximum quota", "mailboxfull"},
		{0, "", bouncescan.StageUnknown, "Message delivery failed 12 retries", "expired"},
		{550, "", bouncescan.StageEndOfData, "Rejected: blocklisted link in the message body", "spamdetected"},
		{550, "", bouncescan.StageRcpt, "Message rejected by the recipient's filtering rules", "filtered"},
		{550, "", bouncescan.StageMail, "Only list members may post to this list", "rejected"},
		{554, "", bouncescan.StageEndOfData, "Message has a duplicate DKIM-Signature header", "notcompliantrfc"},
		{550, "", bouncescan.StageEndOfData, "Duplicated message-id", "notcompliantrfc"},
		{550, "", bouncescan.StageRcpt, "This domain offers no SMTP service", "notaccept"},
		{550, "5.7.1", bouncescan.StageEndOfData, "Your message to the group was rejected due to spam classification; please set up SPF", "spamdetected"},
		{550, "", bouncescan.StageRcpt, "Destination account is blocked", "suspend"},
		{550, "", bouncescan.StageMail, "Host name mismatches client IP 192.0.2.1", "requireptr"},
		{0, "", bouncescan.StageUnknown, "DNS lookup failure: domain mail.example.net not found", "hostunknown"},
		{550, "5.4.1", bouncescan.StageRcpt, "Recipient addresses rejected : Access denied", "userunknown"},
		{550, "", bouncescan.StageRcpt, "Insecure mail relay, access denied", "norelaying"},
		{0, "", bouncescan.StageUnknown, "ユーザー Taro (taro@example.jp) はアドレス帳に見つかりません。", "userunknown"},
		{554, "", bouncescan.StageEndOfData, "Blocked: MCSpamSignature.xy.1.2 matched", "spamdetected"},
	})
}

// Round q (issue 13), from what the twelfth held-out run's misses mean, on
// other wordings (and, for the vendor lists, other codes of the same list
// and the other platform) than the run had.
func TestRoundQ(t *testing.T) {
	checkReasons(t, []reasonCase{
		{550, "5.7.1", bouncescan.StageRcpt, "Connection refused", "securityerror"},
		{554, "5.7.1", bouncescan.StageConnect, "Connection refused by this server", "blocked"},
		{451, "4.7.1", bouncescan.StageConnect, "Connection refused", "securityerror"},
		{550, "", bouncescan.StageMail, "The sender address is on the organisation's blacklist", "rejected"},
		{550, "", bouncescan.StageMail, "Sender address is in the company's block list", "rejected"},
		{554, "", bouncescan.StageEndOfData, "A domain in the body is listed on the DBL", "blocked"},
		{550, "5.4.1", bouncescan.StageEndOfData, "Message content blocked by the data loss prevention policy", "policyviolation"},
		{554, "", bouncescan.StageEndOfData, "Attachments with macros are not allowed here", "policyviolation"},
		{552, "", bouncescan.StageEndOfData, "Documents containing macros are refused", "policyviolation"},
		{550, "", bouncescan.StageEndOfData, "Rejected: phishing attempt recognised", "virusdetected"},
		{554, "", bouncescan.StageEndOfData, "Doc.Dropper.Agent-6327 found in attachment", "virusdetected"},
		{550, "", bouncescan.StageEndOfData, "Message refused (Email.Phishing.Generic)", "virusdetected"},
		{454, "", bouncescan.StageMail, "TLS protocol version not supported by this policy", "failedstarttls"},
		{550, "", bouncescan.StageRcpt, "Service license expired for this domain", "notaccept"},
		{550, "", bouncescan.StageRcpt, "Your address is on the recipient's own deny list", "filtered"},
		{421, "", bouncescan.StageConnect, "Too frequent connects per minute", "toomanyconn"},
		{421, "4.2.1", bouncescan.StageConnect, "Connection refused OXSEU0001_110", "toomanyconn"},
		{421, "4.2.1", bouncescan.StageConnect, "Connection refused OXSEU0001_140", "ratelimited"},
		{550, "5.7.1", bouncescan.StageConnect, "Connection refused - OXSUS0002_111", "blocked"},
		{550, "5.7.1", bouncescan.StageMail, "Message failed an SPF check. XGEMAIL_0002", "authfailure"},
		{550, "5.7.1", bouncescan.StageConnect, "Sender IP address failed an RBL test. XGEMAIL_0004", "blocked"},
		{550, "5.1.1", bouncescan.StageRcpt, "Rejected. XGEMAIL_0011", "userunknown"},
		{450, "4.7.1", bouncescan.StageRcpt, "Rejected, over the limit. XGEMAIL_0014", "ratelimited"},
		{554, "", bouncescan.StageData, "Denied (Mode: strict)", "spamdetected"},
	})
}

// TestReportTimeoutIsExpired: a connection that timed out is the cause of a
// deferral in a log (the MTA will try again), and the reason an MTA gave up
// in a delivery report, which reaches the classifier without an MTA status
// (a bounce or DSN text, a row given to 'bouncescan classify'): there it is
// an expired message, as Sisimai calls it.
func TestReportTimeoutIsExpired(t *testing.T) {
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		status bouncescan.Status
		enh    string
		text   string
		want   string
	}{
		{bouncescan.StatusUnknown, "4.4.1", "connect to mx.example.net[192.0.2.7]:25: Connection timed out", "expired"},
		{bouncescan.StatusUnknown, "", "Delivery failed: the destination server did not respond; no response from the destination server", "expired"},
		{bouncescan.StatusUnknown, "4.4.7", "We were unable to connect successfully to the destination mail server", "expired"},
		{bouncescan.StatusDeferred, "4.4.1", "connect to mx.example.net[192.0.2.7]:25: Connection timed out", "networkerror"},
		{bouncescan.StatusBounced, "", "Connection timed out", "networkerror"},
		{bouncescan.StatusUnknown, "", "connect to mx.example.net[192.0.2.7]:25: Connection refused", "networkerror"},
	} {
		v := c.Classify(&bouncescan.Event{Status: tc.status, EnhancedCode: tc.enh, Text: tc.text})
		if v.Reason != tc.want {
			t.Errorf("%v %s %q: %s (%s), want %s", tc.status, tc.enh, tc.text, v.Reason, v.Rule, tc.want)
		}
	}
}

// Round r (issue 13), from what the thirteenth held-out run's misses mean,
// on other wordings (and other codes of the same vendor lists) than the
// run had.
func TestRoundR(t *testing.T) {
	checkReasons(t, []reasonCase{
		{550, "5.7.1", bouncescan.StageRcpt, "You have used up your daily sending quota", "ratelimited"},
		{554, "5.7.0", bouncescan.StageMail, "Account over its monthly quota, sending refused", "ratelimited"},
		{550, "", bouncescan.StageEndOfData, "Sending from this address has been suspended", "rejected"},
		{550, "", bouncescan.StageMail, "Sending as that domain is not permitted", "rejected"},
		{550, "", bouncescan.StageEndOfData, "Missing Message-ID header", "notcompliantrfc"},
		{554, "", bouncescan.StageEndOfData, "Invalid Date: header", "notcompliantrfc"},
		{550, "", bouncescan.StageEndOfData, "The Subject header is duplicated", "notcompliantrfc"},
		{452, "4.4.5", bouncescan.StageMail, "Recipients per hour limit reached", "ratelimited"},
		// ratelimited until round aa; a limit on the messages of one
		// connection is toomanyconn since (Sisimai's Rhost::YahooInc on
		// Yahoo's "421 Max message per connection reached")
		{421, "", bouncescan.StageMail, "Maximum number of messages per connection exceeded", "toomanyconn"},
		{550, "", bouncescan.StageRcpt, "Your IP address does not resolve", "requireptr"},
		{450, "4.7.1", bouncescan.StageMail, "Client IP failed to resolve, try later", "requireptr"},
		{550, "5.7.1", bouncescan.StageEndOfData, "Rejected by filter RULE3_2", "spamdetected"},
		{550, "5.7.1", bouncescan.StageEndOfData, "Policy rejection: RULE1_1", "virusdetected"},
		{451, "", bouncescan.StageMail, "sasl_rate_limit per hour reached", "ratelimited"},
		{451, "", bouncescan.StageRcpt, "Please retry later (GL/GL)", "greylisted"},
		{550, "", bouncescan.StageRcpt, "Delivery refused GL/BL", "filtered"},
		{554, "5.7.1", bouncescan.StageMail, "This sending account is disabled", "rejected"},
		{550, "", bouncescan.StageRcpt, "This account has been disabled", "suspend"},
	})
}

// TestRoundS is round s (issue 13) on other wordings than the fourteenth
// held-out run's (scenarios-unseen14.tsv: MailCleaner, KumoMTA, Gromox,
// GNU Mailutils, Mailman 3, OCI Email Delivery, Proximus, ...).
func TestRoundS(t *testing.T) {
	checkReasons(t, []reasonCase{
		{452, "", bouncescan.StageRcpt, "Inbox of jane@example.org is full, try again later", "mailboxfull"},
		{550, "5.1.7", bouncescan.StageRcpt, "jane: mailbox is over quota", "mailboxfull"},
		{550, "", bouncescan.StageEndOfData, "Blocked file-type found in attachment", "policyviolation"},
		{554, "", bouncescan.StageEndOfData, "Message contains lone CR characters", "notcompliantrfc"},
		{550, "", bouncescan.StageEndOfData, "Body does not conform to MIME", "contenterror"},
		{554, "", bouncescan.StageEndOfData, "Mail has 3 defects", "contenterror"},
		{503, "", bouncescan.StageMail, "Missing EHLO before MAIL", "syntaxerror"},
		{503, "", bouncescan.StageMail, "HELO/EHLO required first", "syntaxerror"},
		{421, "", bouncescan.StageConnect, "This server hosts no domains", "notaccept"},
		{450, "", bouncescan.StageRcpt, "Your server is not yet allowed to send to this address", "greylisted"},
		{530, "", bouncescan.StageMail, "An encrypted connection is required", "failedstarttls"},
		{550, "", bouncescan.StageRcpt, "SSL is mandatory for this domain", "failedstarttls"},
		{530, "", bouncescan.StageMail, "Unauthenticated connection on port 587 refused", "securityerror"},
		{452, "", bouncescan.StageMail, "Max emails delivered per hour exceeded", "ratelimited"},
		{550, "", bouncescan.StageRcpt, "Host example.net is not allowed to send for example.org: SPF check failed", "authfailure"},
		{550, "", bouncescan.StageRcpt, "Denylisted sender address", "rejected"},
		{451, "", bouncescan.StageMail, "Sender is in our temporary blacklist", "rejected"},
		{554, "", bouncescan.StageConnect, "Your host has been reported for sending spam", "blocked"},
		{550, "", bouncescan.StageMail, "Spam source rejected", "blocked"},
	})
}

// TestRoundT is round t (issue 13) on other wordings than the fifteenth
// held-out run's (scenarios-unseen15.tsv: LBBS, Citadel, gosmtp,
// go-guerrilla, CHAPPS).
func TestRoundT(t *testing.T) {
	checkReasons(t, []reasonCase{
		{550, "5.7.1", bouncescan.StageMail, "Daily sending quota reached for this account", "ratelimited"},
		{451, "", bouncescan.StageRcpt, "Relay quota exhausted, try tomorrow", "ratelimited"},
		{421, "", bouncescan.StageConnect, "Too many clients connected, try later", "toomanyconn"},
		{550, "5.7.1", bouncescan.StageRcpt, "Connection from a known spammer host refused", "blocked"},
		{554, "", bouncescan.StageRcpt, "Spammer IP address rejected", "blocked"},
		{550, "", bouncescan.StageEndOfData, "Internal processing error, message not stored", "systemerror"},
		{550, "5.1.1", bouncescan.StageRcpt, "This mailbox is not allowed to receive internet mail", "policyviolation"},
		{550, "", bouncescan.StageRcpt, "Recipient accepts internal mail only", "policyviolation"},
		{550, "5.7.1", bouncescan.StageRcpt, "You are not permitted to send to this group", "rejected"},
		{550, "", bouncescan.StageEndOfData, "Only text messages are accepted here", "policyviolation"},
		{554, "", bouncescan.StageMail, "Sender domain has been denylisted", "rejected"},
		{553, "5.5.2", bouncescan.StageMail, "Sender address must be a fully-qualified domain", "rejected"},
		{553, "", bouncescan.StageMail, "Unqualified sender address not accepted", "rejected"},
	})
}

// TestRoundU is round u (issue 13) on other wordings than the sixteenth
// held-out run's (scenarios-unseen16.tsv: cPanel's and DirectAdmin's Exim
// ACLs, DCC, MIMEDefang, Aruba), and the code found in a text.
func TestRoundU(t *testing.T) {
	checkReasons(t, []reasonCase{
		{421, "", bouncescan.StageConnect, "You have exceeded the request limit from your IP", "ratelimited"},
		{530, "", bouncescan.StageRcpt, "Relaying requires that you please log in first", "securityerror"},
		{554, "", bouncescan.StageEndOfData, "Attachments of this type are refused", "policyviolation"},
		{554, "", bouncescan.StageEndOfData, "Content-Type text/x-script not permitted", "policyviolation"},
		{550, "", bouncescan.StageEndOfData, "Banned attachment name: setup.js", "policyviolation"},
		{550, "", bouncescan.StageEndOfData, "Denylisted filename in message", "policyviolation"},
		{550, "", bouncescan.StageEndOfData, "This e-mail was identified as junk, and also your server is listed in a blocklist", "spamdetected"},
		{550, "", bouncescan.StageHelo, "Your host is banned due to brute-force attempts", "blocked"},
		{550, "", bouncescan.StageHelo, "EHLO argument is a bare IP", "notcompliantrfc"},
		{550, "", bouncescan.StageMail, "SPF: sender.example does not designate 192.0.2.1 as permitted; not allowed to send", "authfailure"},
		{550, "5.7.1", bouncescan.StageEndOfData, "Message refused by DCC bulk count", "spamdetected"},
		{451, "4.3.0", bouncescan.StageEndOfData, "Error with anti-virus scanner, try again", "systemerror"},
		{550, "", bouncescan.StageHelo, "HELO must be a FQDN (see RFC 2821 4.1.1.1)", "notcompliantrfc"},
	})
}

// TestRoundV is round v (issue 13) on other wordings than the seventeenth
// held-out run's (scenarios-unseen17.tsv: Haraka's core and plugins,
// Apache James's fast-fail handlers).
func TestRoundV(t *testing.T) {
	checkReasons(t, []reasonCase{
		{550, "5.5.4", bouncescan.StageHelo, "HELO name mx.example.org could not be resolved", "notcompliantrfc"},
		{554, "5.7.1", bouncescan.StageRcpt, "Mail from 192.0.2.7 is not accepted here", "blocked"},
		{451, "", bouncescan.StageEndOfData, "Message contains bare line feed characters", "notcompliantrfc"},
		{450, "", bouncescan.StageRcpt, "Temporary failure while verifying recipient address", "systemerror"},
		{452, "", bouncescan.StageRcpt, "Please split the transaction by domain", "exceedlimit"},
		{450, "", bouncescan.StageRcpt, "Too many RCPT attempts in this session", "exceedlimit"},
		{451, "", bouncescan.StageMail, "DNS resolver timeout while checking sender domain", "networkerror"},
		{451, "4.7.1", bouncescan.StageEndOfData, "Message held by local policy, retry later", "policyviolation"},
		{554, "", bouncescan.StageEndOfData, "Mandatory header From is missing", "notcompliantrfc"},
		{550, "", bouncescan.StageConnect, "Your reverse DNS looks dynamic; use your provider's relay", "blocked"},
		{554, "", bouncescan.StageRcpt, "Sender has bad karma", "badreputation"},
	})
}

// TestRoundW is round w (issue 13) on other wordings than the eighteenth
// held-out run's (scenarios-unseen18.tsv: smf-spf, smf-sav, SnertSoft's
// milters, spamilter, cloudmails.eu, Maropost, JetEmail).
func TestRoundW(t *testing.T) {
	checkReasons(t, []reasonCase{
		{550, "5.1.6", bouncescan.StageEndOfData, "Message looks like spam, not delivered", "spamdetected"},
		{451, "4.7.1", bouncescan.StageRcpt, "You have exceeded 200 recipients per 1 day", "ratelimited"},
		{550, "5.7.1", bouncescan.StageRcpt, "Bounce that did not originate here refused", "policyviolation"},
		{550, "5.7.1", bouncescan.StageEndOfData, "Denied: blocklisted body link", "spamdetected"},
		{550, "5.7.1", bouncescan.StageRcpt, "Message refused per our e-mail policy", "policyviolation"},
		{550, "5.7.1", bouncescan.StageMail, "Rejected by security policy - EHLO required", "syntaxerror"},
		{550, "5.7.1", bouncescan.StageEndOfData, "Rejected: executable attachement found", "policyviolation"},
		{550, "5.7.1", bouncescan.StageEndOfData, "Policy: invalid HELO hostname", "notcompliantrfc"},
		{550, "5.7.1", bouncescan.StageEndOfData, "IP used as hostname in greeting", "notcompliantrfc"},
		{550, "5.1.1", bouncescan.StageRcpt, "User unknown or account is full", "userunknown"},
	})
}

// TestRoundX is round x (issue 13) on other wordings than the nineteenth
// held-out run's (scenarios-unseen19.tsv: NTT docomo, au, SoftBank, Yahoo!
// JAPAN, Spectrum, Tuta, Proton, Virgin Media).
func TestRoundX(t *testing.T) {
	checkReasons(t, []reasonCase{
		{554, "", bouncescan.StageEndOfData, "Message line length exceeds 998 characters", "notcompliantrfc"},
		{500, "", bouncescan.StageRcpt, "Line too long", "syntaxerror"},
		{550, "5.7.1", bouncescan.StageEndOfData, "Message rejected by rspamd filter (score 15.2)", "spamdetected"},
	})
}

// TestRoundY is round y (issue 13) on other wordings than the twentieth
// held-out run's (scenarios-unseen20.tsv: reply strings in the source of
// Sendmail, Postfix, Exim, notqmail, Cyrus IMAP and OpenSMTPD).
func TestRoundY(t *testing.T) {
	checkReasons(t, []reasonCase{
		{451, "", bouncescan.StageEndOfData, "Mailbox is corrupted, try again later", "systemerror"},
		{550, "5.7.1", bouncescan.StageEndOfData, "You don't have the right to post to this folder", "rejected"},
		{452, "", bouncescan.StageMail, "Spool space is low, please try later", "systemfull"},
		{451, "", bouncescan.StageEndOfData, "Bare LFs rejected, see cr.yp.to/docs/smtplf.html", "notcompliantrfc"},
		{421, "", bouncescan.StageMail, "Too many messages from your address, slow down", "ratelimited"},
		{451, "4.3.0", bouncescan.StageRcpt, "<a@example.org>: Sender address rejected: Temporary lookup failure", "systemerror"},
	})
}

// TestRoundZ is round z (issue 13) on other wordings than the run of
// tables 21 and 22 (FortiMail, WatchGuard, ESET, Kaspersky; Carbonio,
// iRedAPD, Modoboa, mailcow, Qpsmtpd, ezmlm-idx, Kolab).
func TestRoundZ(t *testing.T) {
	checkReasons(t, []reasonCase{
		{454, "4.2.2", bouncescan.StageMail, "We take mail only over encrypted connections", "failedstarttls"},
		{451, "", bouncescan.StageRcpt, "Excessive sending volume from your host, deferred", "ratelimited"},
		{550, "5.7.0", bouncescan.StageEndOfData, "We will not accept messages with no body text", "policyviolation"},
		{550, "", bouncescan.StageEndOfData, "The address of the list must appear in To or Cc", "policyviolation"},
		{550, "5.2.3", bouncescan.StageEndOfData, "Parts of MIME type text/calendar are not accepted", "policyviolation"},
		{550, "5.7.2", bouncescan.StageEndOfData, "You are not permitted to send mail to this group", "rejected"},
		{552, "5.7.1", bouncescan.StageEndOfData, "Limit reached: single message size", "emailtoolarge"},
		{554, "5.7.1", bouncescan.StageRcpt, "You are not authorized to send e-mail to user@example.org", "policyviolation"},
		{550, "", bouncescan.StageEndOfData, "Bounces must have an empty sender", "notcompliantrfc"},
		{554, "", bouncescan.StageEndOfData, "This server requires a proper Message-ID header", "notcompliantrfc"},
	})
}

// TestRoundAA: other wordings of what the rules of round aa (issue 13,
// after the held-out run of tables 23 and 24) read.
func TestRoundAA(t *testing.T) {
	checkReasons(t, []reasonCase{
		{451, "4.7.1", bouncescan.StageRcpt, "Too many new messages from your address, slow down", "ratelimited"},
		{550, "", bouncescan.StageMail, "HELO hostname mx.example.org doesn't match the connecting address", "notcompliantrfc"},
		{530, "5.7.0", bouncescan.StageMail, "You must issue STARTTLS first", "failedstarttls"},
		{550, "", bouncescan.StageRcpt, "This mailbox is not active", "suspend"},
		{550, "", bouncescan.StageRcpt, "Recipient rejected: disabled", "suspend"},
		{535, "", bouncescan.StageMail, "Your credentials have expired, please log in again", "securityerror"},
		{550, "", bouncescan.StageRcpt, "[SPF] 192.0.2.9 not allowed to send mail for example.com", "authfailure"},
		{554, "5.7.1", bouncescan.StageRcpt, "Please do not try to use me as a relay", "norelaying"},
		{550, "", bouncescan.StageEndOfData, "The number of messages sent exceeded your limit", "ratelimited"},
		{554, "", bouncescan.StageEndOfData, "Message is not standards compliant", "notcompliantrfc"},
		{550, "5.7.1", bouncescan.StageEndOfData, "Suspicious attachment detected", "policyviolation"},
		{554, "", bouncescan.StageEndOfData, "Message rejected: a link in it is listed on SURBL", "spamdetected"},
		{550, "5.7.1", bouncescan.StageRcpt, "Recipient is not on the list of valid recipients", "userunknown"},
		{421, "", bouncescan.StageMail, "Maximum messages per session exceeded", "toomanyconn"},
	})
}

// TestFoldFreeLiterals: texts in scripts without case still reach the
// regexes that name their words, now that those words are literals the
// scanner looks for first (foldFree).
func TestFoldFreeLiterals(t *testing.T) {
	checkReasons(t, []reasonCase{
		{550, "", bouncescan.StageRcpt, "宛先のユーザーが見つかりません", "userunknown"},
		{550, "5.1.1", bouncescan.StageRcpt, "受信者が存在しません: user@example.jp", "userunknown"},
		{550, "", bouncescan.StageRcpt, "ユーザーが存在しません (user unknown)", "userunknown"},
	})
}

// TestRoundAB: other wordings of what the rules of round ab (issue 13,
// after the held-out run of tables 25 and 26) read.
func TestRoundAB(t *testing.T) {
	checkReasons(t, []reasonCase{
		{451, "4.7.0", bouncescan.StageRcpt, "SPF check: temporary lookup error for example.com", "networkerror"},
		{554, "", bouncescan.StageConnect, "203.0.113.5 is listed on 2 RBLs", "blocked"},
		{421, "", bouncescan.StageRcpt, "DNSBL query timed out, please retry", "networkerror"},
		{550, "", bouncescan.StageRcpt, "Greylisting refused: your server is blacklisted", "blocked"},
		{553, "", bouncescan.StageMail, "Unknown e-mail address", "rejected"},
		{550, "", bouncescan.StageEndOfData, "Message has no verifiable sender", "rejected"},
		{450, "4.7.1", bouncescan.StageMail, "Client IP address not resolvable", "requireptr"},
		{550, "", bouncescan.StageEndOfData, "Message header fails syntax validation", "notcompliantrfc"},
		{554, "5.7.1", bouncescan.StageEndOfData, "HTML messages are not accepted here", "policyviolation"},
		{550, "5.7.1", bouncescan.StageRcpt, "Recipient rejected: unknown-user", "userunknown"},
		{554, "", bouncescan.StageRcpt, "Go away.", "blocked"},
		{421, "", bouncescan.StageMail, "RCPT issued too many times", "ratelimited"},
		{555, "", bouncescan.StageMail, "Unsupported MAIL parameter BODY=BINARYMIME", "syntaxerror"},
	})
}

// TestRoundAC: other wordings of what the rules of round ac (issue 13,
// after the held-out run of tables 27 and 28) read.
func TestRoundAC(t *testing.T) {
	checkReasons(t, []reasonCase{
		{451, "4.7.1", bouncescan.StageRcpt, "DKIM key lookup error, try again later", "networkerror"},
		{452, "", bouncescan.StageRcpt, "Maximum recipients limit reached for this message", "exceedlimit"},
		{451, "", bouncescan.StageData, "Server out of memory, try again later", "systemerror"},
		{554, "", bouncescan.StageEndOfData, "Stray linefeed in message body", "notcompliantrfc"},
		{421, "", bouncescan.StageRcpt, "Too many errors, closing connection", "syntaxerror"},
		{550, "", bouncescan.StageRcpt, "The domain of your sender address does not exist", "rejected"},
		{554, "", bouncescan.StageRcpt, "Sorry, we don't relay for you", "norelaying"},
		{530, "", bouncescan.StageMail, "Authorization is required before sending", "securityerror"},
		{550, "", bouncescan.StageRcpt, "Frequency of sending mails is limited, slow down", "ratelimited"},
		{552, "", bouncescan.StageEndOfData, "Your attachment is too long", "emailtoolarge"},
		{554, "", bouncescan.StageRcpt, "You are not following the protocol", "syntaxerror"},
		{554, "", bouncescan.StageRcpt, "Delivering mail to external addresses is not permitted", "norelaying"},
		{554, "", bouncescan.StageEndOfData, "Message contains a bad attachment (.exe)", "policyviolation"},
	})
}

// Round ad (issue 13), after the held-out run of tables 29+30: what its
// misses mean, in other words than the tables': an SPF or DKIM lookup
// that had a problem is a network error; a DNS loop is a network error
// whatever the 5.4.4; the receiver's own spam or virus filter failing is
// its system error; a header of the receiver's own (X-…) missing or bad
// is a content error; too many header lines is content, not size; an
// "open relay" named by the receiver blames the sending host; a reply
// naming the connecting host by name and address refuses the client,
// even at MAIL FROM; "unknown commands" at MAIL FROM are not the
// sender's; "service refused" refuses the client; after the message,
// "rejected as spam" without naming a host is the message's spam.
func TestRoundAD(t *testing.T) {
	checkReasons(t, []reasonCase{
		{451, "4.7.1", bouncescan.StageRcpt, "Error during SPF record lookup, please retry", "networkerror"},
		{450, "", bouncescan.StageMail, "Trouble with the DKIM query for your domain", "networkerror"},
		{554, "5.4.4", bouncescan.StageRcpt, "MX records of the destination point back in a loop", "networkerror"},
		{451, "", bouncescan.StageEndOfData, "Virus scanner not responding, try again", "systemerror"},
		{451, "4.3.0", bouncescan.StageEndOfData, "Anti-spam engine error, message deferred", "systemerror"},
		{451, "", bouncescan.StageEndOfData, "Spam filter failed on this message, try later", "systemerror"},
		{451, "", bouncescan.StageEndOfData, "Malware filter daemon crashed, message deferred", "systemerror"},
		{550, "", bouncescan.StageEndOfData, "Required header X-Customer-Ref absent or invalid: missing header X-Customer-Ref", "contenterror"},
		{552, "", bouncescan.StageEndOfData, "Message has too many header lines", "contenterror"},
		{550, "", bouncescan.StageRcpt, "Your server is an open relay, see our policy", "blocked"},
		{550, "5.7.1", bouncescan.StageMail, "client host smtp.example.org [203.0.113.5] listed at our DNSBL", "blocked"},
		{550, "", bouncescan.StageMail, "host relay.example.net [198.51.100.2] rejected: forged name", "blocked"},
		{550, "", bouncescan.StageMail, "host mx.example.com [192.0.2.7] from RFC2606 reserved domain", "blocked"},
		{421, "", bouncescan.StageMail, "Too many unknown commands, closing", "syntaxerror"},
		{554, "5.7.1", bouncescan.StageRcpt, "Service refused for your server", "blocked"},
		{550, "", bouncescan.StageEndOfData, "Message rejected as spam by content filter", "spamdetected"},
		// what stays: refusing to be an open relay is not relaying for anyone
		{550, "5.7.1", bouncescan.StageRcpt, "Relaying denied: this system is not an open relay", "norelaying"},
	})
}

// Replies and MTA texts common in real logs that said nothing or the
// wrong thing (issue 13, "undefined only when nothing says more"), in
// other words than the ones the rules were written from: Spamhaus's SBL,
// XBL and PBL are block lists; Exim's "not a gateway" refuses to relay;
// RFC 5321's 553 "mailbox name not allowed" is about the address; a
// refusal "administratively" denied or prohibited is local policy; a
// mailbox with "no quota left" is full; a transport process killed by a
// signal is the sending system's own failure.
func TestCommonRealReplies(t *testing.T) {
	checkReasons(t, []reasonCase{
		{550, "", bouncescan.StageRcpt, "Rejected: your server is in the PBL, use your provider's relay", "blocked"},
		{554, "", bouncescan.StageConnect, "Refused. Host listed by XBL", "blocked"},
		{550, "", bouncescan.StageRcpt, "relay.example.org: not a gateway", "norelaying"},
		{550, "", bouncescan.StageRcpt, "Requested action not taken: mailbox name not allowed", "userunknown"},
		{553, "", bouncescan.StageRcpt, "Message administratively prohibited", "policyviolation"},
		{552, "", bouncescan.StageRcpt, "This mailbox has no quota left", "mailboxfull"},
		{0, "", bouncescan.StageUnknown, "remote_smtp transport process terminated by signal 9", "systemerror"},
	})
}

// Round ae (issue 13), after the held-out run of tables 31+32: what its
// misses mean, in other words than the tables': a number of messages in
// a stated period is a rate, and a "message threshold" reached; a block
// of the IP beats the rate that caused it; a per-message recipient cap is
// exceedlimit, and so is a size limit that is the account's own; SPF's
// "is not authorized to send mail from/for"; a listing at a DNS zone, a
// spam trap hit and "your address <IP> appears …" are blocks of the
// client; bad angle brackets are address syntax; AUTH "not allowed" is a
// security error; a sender's domain or address blocked for spam, and a
// "Mail from <address>" refused, are the sender refused; "provide a HELO"
// and a bare syntax code at EHLO are syntax errors; a blank "From:" breaks
// the format; too many invalid recipients blocks the client.
func TestRoundAE(t *testing.T) {
	checkReasons(t, []reasonCase{
		{450, "", bouncescan.StageRcpt, "Recipient accepts no more than 200 messages within any one-hour period", "ratelimited"},
		{451, "", bouncescan.StageMail, "Hourly message threshold reached for your server", "ratelimited"},
		{554, "", bouncescan.StageConnect, "Your IP has been blocked for sending too many messages with spam content", "blocked"},
		{552, "", bouncescan.StageRcpt, "Per-message recipient limit reached, send the rest separately", "exceedlimit"},
		{552, "", bouncescan.StageRcpt, "Size refused: mailbox jo@example.org can only receive messages up to 5 MB", "exceedlimit"},
		{550, "", bouncescan.StageRcpt, "Server 198.51.100.7 is not designated to send mail for example.org", "authfailure"},
		{550, "", bouncescan.StageRcpt, "Refused: client listed in dnsbl.example.net", "blocked"},
		{450, "", bouncescan.StageEndOfData, "Your host hit one of our spam traps recently", "blocked"},
		{550, "", bouncescan.StageEndOfData, "Your address 203.0.113.9 is in a range we do not accept mail from", "blocked"},
		{501, "", bouncescan.StageMail, "Sender address must be enclosed in angle brackets", "syntaxerror"},
		{535, "", bouncescan.StageMail, "SMTP authentication is not allowed on this port", "securityerror"},
		{554, "", bouncescan.StageRcpt, "Sender domain banned for spam", "rejected"},
		{554, "", bouncescan.StageMail, "Mail from <a@example.org> refused by local policy", "rejected"},
		{503, "", bouncescan.StageMail, "Please send a HELO first", "syntaxerror"},
		{501, "", bouncescan.StageHelo, "argument missing", "syntaxerror"},
		{550, "", bouncescan.StageEndOfData, "Empty From: header is not allowed", "notcompliantrfc"},
		{550, "", bouncescan.StageRcpt, "Rejected: too many unknown recipients from your host, try again tomorrow", "blocked"},
	})
}

// Round af (issue 13), after the held-out run of tables 33+34: Mimecast's
// published list names a cause for each of its 451 replies, so its link
// alone is no longer read as greylisting (connections over the account's
// limit, inbound mail switched off, an IP on its temporary block list, a
// refused relay, a geographical restriction, a content policy); Trend
// Micro's ERS list names (QIL a reputation, RBL and DUL block lists); a
// DNSBL hit in Postfix's "blocked using" words is a block list even when
// the list calls itself a reputation; a bounce addressed to several
// recipients is refused by policy; a sender refused for DKIM or DMARC is
// an authentication or DMARC verdict, not a refused sender; "Mail from
// <domain> rejected" refuses the sender; a sender domain without DNS
// records, in reply to MAIL FROM, is refused; a 4.7.1 whose words open
// with the sender's address refuses the sender for now. The wordings are
// not the tables'.
func TestRoundAF(t *testing.T) {
	checkReasons(t, []reasonCase{
		{451, "", bouncescan.StageRcpt, "Account Service Is Temporarily Unavailable - https://community.mimecast.com/docs/DOC-1369#451", "toomanyconn"},
		{554, "", bouncescan.StageRcpt, "Host Network Not Allowed", "blocked"},
		{451, "", bouncescan.StageRcpt, "Account inbounds disabled", "notaccept"},
		{451, "", bouncescan.StageRcpt, "IP Temporarily Blacklisted - https://community.mimecast.com/docs/DOC-1369#451", "blocked"},
		{451, "", bouncescan.StageRcpt, "Internal resources are temporarily unavailable - https://community.mimecast.com/docs/DOC-1369#451", "greylisted"},
		{550, "", bouncescan.StageRcpt, "Open relay not allowed - https://community.mimecast.com/docs/DOC-1369#550", "norelaying"},
		{550, "", bouncescan.StageEndOfData, "Message Bounced Due To Content Examination Policy", "policyviolation"},
		{554, "5.7.1", bouncescan.StageRcpt, "<x@example.org>: Recipient address rejected: ERS-DUL.", "blocked"},
		{450, "4.7.1", bouncescan.StageRcpt, "Client host rejected: ERS-QIL", "badreputation"},
		{554, "", bouncescan.StageRcpt, "Service unavailable; Client host [203.0.113.5] blocked using bl.example.net; see our reputation page", "blocked"},
		{550, "", bouncescan.StageRcpt, "Bounces to several recipients are refused here", "policyviolation"},
		{553, "", bouncescan.StageRcpt, "Empty sender with more than one recipient is not accepted", "policyviolation"},
		{550, "", bouncescan.StageEndOfData, "DKIM Sender Invalid - envelope rejected", "authfailure"},
		{550, "5.7.1", bouncescan.StageMail, "Sender rejected: DMARC policy of example.org is reject", "policyviolation"},
		{550, "", bouncescan.StageRcpt, "Mail from mailer.example.org rejected: the domain refuses bounces", "rejected"},
		{450, "", bouncescan.StageMail, "Your domain has not any DNS records", "rejected"},
		{451, "4.7.1", bouncescan.StageMail, "Sender <a@example.org>: temporarily refused, try later", "rejected"},
		// guards: the client named by its IP stays a block; a 4.7.1 at
		// MAIL FROM that names no sender stays the code's
		{550, "", bouncescan.StageRcpt, "Mail from 203.0.113.5 refused by bl.example.net", "blocked"},
		{451, "4.7.1", bouncescan.StageMail, "Sorry, the service is currently unavailable. Please come back later.", "securityerror"},
	})
}

// Round ag (issue 13), after the held-out run of tables 35-37: NetEase's
// WM:BLI (the client's IP not on the allowed list) and WM:BLU (the sender
// not on it); "resource limitations" are a full system; "no DNS reverse"
// is reverse DNS; "must be a member/subscriber to post" and a "private
// list" refuse the sender; POP-before-SMTP is authentication; Sender ID
// (RFC 4406, SPF's sibling) is an authentication check; "policy reason"
// in the singular; a reply that opens with "Message size" and says it is
// over; a multi-recipient bounce is refused by policy even under 5.5.3.
// The wordings are not the tables'.
func TestRoundAG(t *testing.T) {
	checkReasons(t, []reasonCase{
		{450, "", bouncescan.StageRcpt, "WM:BLI mx3,Z8CowABH some id,please see http://mail.163.com/help/help_spam_16.htm?ip=203.0.113.5", "blocked"},
		{451, "", bouncescan.StageMail, "WM:BLU mx3,Z8CowABH some id,please see http://mail.163.com/help/help_spam_16.htm", "rejected"},
		{452, "", bouncescan.StageMail, "Service temporarily refused because of resource limitations", "systemfull"},
		{550, "", bouncescan.StageConnect, "mx.example.net no DNS reverse record for 203.0.113.5", "requireptr"},
		{550, "", bouncescan.StageRcpt, "You must be a subscriber to post to this list", "rejected"},
		{550, "", bouncescan.StageRcpt, "Posting to this private list is restricted", "rejected"},
		{550, "", bouncescan.StageRcpt, "Please use POP before SMTP to relay mail", "securityerror"},
		{550, "", bouncescan.StageEndOfData, "Message rejected: Sender ID check failed", "authfailure"},
		{550, "5.7.1", bouncescan.StageEndOfData, "Refused: policy reason 17", "policyviolation"},
		{550, "5.7.0", bouncescan.StageEndOfData, "Message size violation: 30000000 bytes", "emailtoolarge"},
		{550, "5.5.3", bouncescan.StageRcpt, "Multi-recipient bounce refused", "policyviolation"},
		// guard: too many recipients without a bounce stays the code's
		{452, "4.5.3", bouncescan.StageRcpt, "Too many recipients", "exceedlimit"},
	})
}

// Round ah (issue 13), after the held-out run of tables 38+39: sendmail's
// "Client IP address … does not resolve" and "Possibly forged hostname"
// are the client's reverse DNS under its 4.1.8; "(real) domain name
// required for sender address" refuses the sender; TLS "session" or
// "conversation" required, and encryption "too weak", are TLS failures; a
// maximum number of messages reached is a rate; "will not accept multiple
// recipients" is the per-transaction cap; an unknown MAIL FROM argument
// or parameter is syntax, not the sender; Mimecast's blocked-senders
// policies refuse the sender; Postfix's "Error: too many errors" is
// syntax; a message that "failed to be replicated" is a system error. The
// wordings are not the tables'.
func TestRoundAH(t *testing.T) {
	checkReasons(t, []reasonCase{
		{450, "4.1.8", bouncescan.StageRcpt, "Client IP address 203.0.113.9 does not resolve, try later", "requireptr"},
		{550, "5.7.1", bouncescan.StageRcpt, "Possibly forged hostname for 203.0.113.9", "requireptr"},
		{553, "5.5.4", bouncescan.StageMail, "<bob>... Real domain name required for sender address", "rejected"},
		{550, "5.7.1", bouncescan.StageMail, "TLS session required for this domain", "failedstarttls"},
		{554, "", bouncescan.StageMail, "Encryption too weak for this server", "failedstarttls"},
		{451, "4.7.1", bouncescan.StageEndOfData, "maximum number of e-mails (200) for your account reached", "ratelimited"},
		{451, "", bouncescan.StageRcpt, "We do not accept multiple recipients per message", "exceedlimit"},
		{501, "5.5.4", bouncescan.StageMail, "Unknown parameter in MAIL FROM", "syntaxerror"},
		{550, "", bouncescan.StageEndOfData, "Rejected by header-based Blocked Senders - Block policy for Header From - https://community.mimecast.com/docs/DOC-1369#550", "rejected"},
		{421, "4.7.0", bouncescan.StageRcpt, "mx.example.org Error: too many errors", "syntaxerror"},
		{451, "4.4.0", bouncescan.StageEndOfData, "Message failed to be replicated: no healthy secondary server", "systemerror"},
		// guard: sendmail's relay refusal for a forged name stays a relay refusal
		{550, "5.7.1", bouncescan.StageRcpt, "<a@example.org>... Relaying denied. IP name possibly forged [203.0.113.9]", "norelaying"},
	})
}

// Round ai (issue 13), after the held-out run of tables 40+41: a bounce
// "with more than one recipient" (singular) is the bounce policy; "too
// many messages sent" under 5.5.3 and Postfix's "too many recipients
// from <IP>" are rates; the words of a local refusal ("administratively
// denied/prohibited") block the client at the greeting and refuse the
// sender at MAIL FROM (after RCPT they stay the receiver's policy: the
// guard); qmail's "refused mailfrom" refuses the sender; Exim's "too many
// non-mail commands" is syntax; "issue AUTH first" is authentication; a
// receiver's "address verification problem" is its own failure, whatever
// its 4.1.1; "bare <LF>" breaks the RFCs; Postfix's "Helo command
// rejected: Access denied" is an access-table block. The wordings are not
// the tables'.
func TestRoundAI(t *testing.T) {
	checkReasons(t, []reasonCase{
		{550, "", bouncescan.StageRcpt, "We refuse bounce messages with more than one recipient", "policyviolation"},
		{452, "4.5.3", bouncescan.StageRcpt, "Too many messages sent in this session", "ratelimited"},
		{450, "4.7.1", bouncescan.StageRcpt, "Error: too many recipients from 203.0.113.7", "ratelimited"},
		{554, "", bouncescan.StageConnect, "mx.example.org ESMTP - administratively prohibited", "blocked"},
		{550, "", bouncescan.StageMail, "Your mail was administratively denied", "rejected"},
		{554, "", bouncescan.StageMail, "sorry, refused mailfrom: local sender required", "rejected"},
		{554, "", bouncescan.StageHelo, "Too many non-mail commands, closing", "syntaxerror"},
		{530, "5.5.1", bouncescan.StageMail, "Bad sequence: issue AUTH first", "securityerror"},
		{450, "4.1.1", bouncescan.StageRcpt, "<a@example.org>: Recipient address rejected: address verification problem", "systemerror"},
		{550, "5.5.2", bouncescan.StageEndOfData, "Message refused: bare <LF> line endings", "notcompliantrfc"},
		{554, "5.7.1", bouncescan.StageRcpt, "<mx.example.org>: Helo command rejected: Access denied", "blocked"},
		// guard: after RCPT a local refusal stays the receiver's policy
		{550, "5.7.1", bouncescan.StageRcpt, "Administrative prohibition", "policyviolation"},
	})
}

// Round aj (issue 13), after the held-out run of tables 42+43: a message
// length or size that "exceeds" a limit is a message too large even in
// reply to MAIL FROM; a BODY= value refused, and "invalid syntax", are
// the command's syntax; an address "too long" is address syntax; "too
// many bad/unknown recipients; closing" ends the session for errors, it
// does not say this recipient is unknown; an open proxy is a block of the
// client, and so is a connection refused by policy; a message that must
// be sent over a secure connection is a TLS failure; lines not
// terminated by CRLF break the RFCs; an inactive alias, list or domain is
// suspended; "mailbox name not allowed" in reply to MAIL FROM is the
// sender's (with angle brackets, still syntax); a message "too small" is
// malformed content. The wordings are not the tables'.
func TestRoundAJ(t *testing.T) {
	checkReasons(t, []reasonCase{
		{552, "", bouncescan.StageMail, "Announced message size 60000000 exceeds our limit of 20000000", "emailtoolarge"},
		{501, "", bouncescan.StageMail, "BODY must be 7BIT or 8BITMIME", "syntaxerror"},
		{550, "", bouncescan.StageMail, "Invalid syntax in MAIL command", "syntaxerror"},
		{553, "5.1.0", bouncescan.StageRcpt, "Address \"averyveryverylongname@example.org\" too long (256 bytes max)", "syntaxerror"},
		{421, "4.7.0", bouncescan.StageRcpt, "Too many unknown recipients; closing connection", "syntaxerror"},
		{421, "4.7.0", bouncescan.StageConnect, "mx.example.org Rejecting open proxy [203.0.113.4]", "blocked"},
		{550, "", bouncescan.StageRcpt, "Connection refused due to local policy", "blocked"},
		{530, "", bouncescan.StageMail, "Messages must be submitted over an encrypted connection", "failedstarttls"},
		{500, "", bouncescan.StageEndOfData, "Lines must be terminated by CRLF", "notcompliantrfc"},
		{550, "", bouncescan.StageRcpt, "Distribution list is inactive", "suspend"},
		{553, "", bouncescan.StageMail, "mailbox name not allowed", "rejected"},
		{552, "", bouncescan.StageEndOfData, "Message too small to be delivered", "contenterror"},
		// guards: angle brackets stay syntax at MAIL FROM; a dictionary
		// attack stays a block of the client
		{553, "", bouncescan.StageMail, "mailbox name not allowed: angle brackets missing", "syntaxerror"},
		{550, "", bouncescan.StageRcpt, "Rejected: too many unknown recipients from your host, try again tomorrow", "blocked"},
	})
}

// Round ak (issue 13), after the held-out run of tables 44+45: a DNS
// block list that says the receiver queried it through an open or public
// resolver (Spamhaus's 127.255.255.254) is the receiver's own failure,
// not a listing; "denylisted" is "blocklisted"; forwarding to remote
// hosts refused is a relay refusal; "rejected by domain policy", scripts
// not allowed and an address "not SRS signed" are the receiver's policy;
// "retried for the maximum period" is expiry; an address that "does not
// have any MX records" after RCPT is an unknown host (in reply to MAIL
// FROM still the sender's); "email not exist" is an unknown user. The
// wordings are not the tables'.
func TestRoundAK(t *testing.T) {
	checkReasons(t, []reasonCase{
		{554, "5.7.1", bouncescan.StageRcpt, "Service unavailable; Client host [203.0.113.8] blocked using bl.spamhaus.org; Error: open resolver; https://check.spamhaus.org/returnc/pub/203.0.113.1/", "systemerror"},
		{550, "", bouncescan.StageEndOfData, "Sending host denylisted", "blocked"},
		{550, "5.7.1", bouncescan.StageRcpt, "Forwarding to remote hosts is not allowed", "norelaying"},
		{550, "5.7.1", bouncescan.StageEndOfData, "Mail rejected by domain policy of the recipient", "policyviolation"},
		{550, "", bouncescan.StageRcpt, "Return address not SRS signed", "policyviolation"},
		{550, "5.7.7", bouncescan.StageEndOfData, "Scripts are not allowed in HTML mail", "policyviolation"},
		{550, "", bouncescan.StageEndOfData, "This message was retried for the maximum period and has failed", "expired"},
		{550, "", bouncescan.StageRcpt, "jo@example.org does not have any MX records configured", "hostunknown"},
		{550, "", bouncescan.StageEndOfData, "The alias target email not exist", "userunknown"},
		// guard: the same MX words in reply to MAIL FROM are the sender's
		{501, "", bouncescan.StageMail, "Domain in MAIL FROM does not have any MX records", "rejected"},
	})
}
