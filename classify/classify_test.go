package classify

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/bouncescan/bouncescan"
)

func newTest(t testing.TB) *Classifier {
	t.Helper()
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestProviders: what providers and gateways really send, and the codeless
// texts MTAs write, each with the verdict it should get.
func TestProviders(t *testing.T) {
	c := newTest(t)
	for _, tc := range []struct {
		name     string
		e        bouncescan.Event
		verdict  string // class/subject/reason
		provider string
	}{
		// Gmail
		{"gmail nosuchuser", bouncescan.Event{Stage: bouncescan.StageRcpt, Text: "550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. For more information, go to https://support.google.com/mail/?p=NoSuchUser 41be03b00d2f7-5d2e4b0c1a3si123456a12.301 - gsmtp"}, "permanent/addressing/userunknown", "gmail"},
		{"gmail overquota perm", bouncescan.Event{Stage: bouncescan.StageRcpt, Text: "552-5.2.2 The email account that you tried to reach is over quota. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaPerm - gsmtp"}, "permanent/mailbox/mailboxfull", "gmail"},
		{"gmail overquota temp", bouncescan.Event{Stage: bouncescan.StageRcpt, Text: "452-4.2.2 The recipient's inbox is out of storage space. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaTemp - gsmtp"}, "transient/mailbox/mailboxfull", "gmail"},
		{"gmail 4.7.28 rate", bouncescan.Event{Stage: bouncescan.StageEndOfData, Text: "421-4.7.28 [192.0.2.1 15] Our system has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited. https://support.google.com/mail/?p=UnsolicitedRateLimitError - gsmtp"}, "transient/security/ratelimited", "gmail"},
		{"gmail 4.7.0 reputation", bouncescan.Event{Stage: bouncescan.StageEndOfData, Text: "421-4.7.0 [192.0.2.1 15] Our system has detected that this message is suspicious due to the very low reputation of the sending IP address. To best protect our users from spam, the message has been blocked. https://support.google.com/mail/answer/188131 - gsmtp"}, "transient/security/badreputation", "gmail"},
		{"gmail unauthenticated", bouncescan.Event{Stage: bouncescan.StageEndOfData, Text: "550-5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM. Authentication results: DKIM = did not pass SPF [example.com] with ip: [192.0.2.1] = did not pass - gsmtp"}, "permanent/security/authfailure", "gmail"},
		{"gmail spam", bouncescan.Event{Stage: bouncescan.StageEndOfData, Text: "550-5.7.1 [192.0.2.1 12] Our system has detected that this message is likely unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been blocked. https://support.google.com/mail/?p=UnsolicitedMessageError - gsmtp"}, "permanent/security/spamdetected", "gmail"},
		{"gmail disabled", bouncescan.Event{Stage: bouncescan.StageRcpt, Text: "550-5.2.1 The email account that you tried to reach is disabled. https://support.google.com/mail/?p=DisabledUser - gsmtp"}, "permanent/mailbox/suspend", "gmail"},
		{"gmail ptr", bouncescan.Event{Stage: bouncescan.StageEndOfData, Text: "550-5.7.25 [192.0.2.1] The IP address sending this message does not have a PTR record setup, or the corresponding forward DNS entry does not point to the sending IP. - gsmtp"}, "permanent/security/requireptr", "gmail"},
		{"gmail by relay", bouncescan.Event{Relay: "gmail-smtp-in.l.google.com[142.250.1.27]:25", Stage: bouncescan.StageRcpt, ReplyCode: 550, EnhancedCode: "5.1.1", Text: "The email account that you tried to reach does not exist."}, "permanent/addressing/userunknown", "gmail"},
		// Microsoft 365 / Outlook.com
		{"ms recipientnotfound", bouncescan.Event{Stage: bouncescan.StageRcpt, Text: "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"}, "permanent/addressing/userunknown", "microsoft"},
		{"ms banned ip", bouncescan.Event{Stage: bouncescan.StageRcpt, Relay: "example-com.mail.protection.outlook.com", Text: "550 5.7.606 Access denied, banned sending IP [192.0.2.1]. To request removal from this list please visit https://sender.office.com/ and follow the directions."}, "permanent/security/blocked", "microsoft"},
		{"ms banned 649", bouncescan.Event{Stage: bouncescan.StageRcpt, Text: "550 5.7.649 Access denied, banned sender"}, "permanent/security/blocked", "microsoft"},
		{"ms 4.7.650", bouncescan.Event{Stage: bouncescan.StageRcpt, Text: "451 4.7.650 The mail server [192.0.2.1] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S775) [Name=Protocol Filter Agent]"}, "transient/security/badreputation", "microsoft"},
		{"ms 4.7.651", bouncescan.Event{Stage: bouncescan.StageRcpt, Text: "451 4.7.651 The mail server [192.0.2.1] has been temporarily rate limited due to IP reputation."}, "transient/security/badreputation", "microsoft"},
		{"ms 5.7.708", bouncescan.Event{Stage: bouncescan.StageRcpt, Text: "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP."}, "permanent/security/blocked", "microsoft"},
		{"ms 5.7.509 dmarc", bouncescan.Event{Stage: bouncescan.StageEndOfData, Text: "550 5.7.509 Access denied, sending domain example.com does not pass DMARC verification and has a DMARC policy of reject."}, "permanent/security/policyviolation", "microsoft"},
		{"ms 5.7.515 auth level", bouncescan.Event{Stage: bouncescan.StageEndOfData, Text: "550 5.7.515 Access denied, sending domain example.com doesn't meet the required authentication level."}, "permanent/security/authfailure", "microsoft"},
		{"ms 5.4.1 dbeb", bouncescan.Event{Stage: bouncescan.StageRcpt, Text: "550 5.4.1 Recipient address rejected: Access denied. For more information see https://aka.ms/EXOSmtpErrors [AM0PR01MB1234.eurprd01.prod.exchangelabs.com]"}, "permanent/network/userunknown", "microsoft"},
		{"ms 5.7.1 relay", bouncescan.Event{Stage: bouncescan.StageRcpt, Text: "550 5.7.1 Unable to relay for bob@example.org"}, "permanent/security/norelaying", ""},
		{"ms 5.7.64 tenant", bouncescan.Event{Stage: bouncescan.StageRcpt, Text: "550 5.7.64 TenantAttribution; Relay Access Denied"}, "permanent/security/norelaying", "microsoft"},
		// Yahoo / AOL
		{"yahoo tss04", bouncescan.Event{Stage: bouncescan.StageConnect, Text: "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes"}, "transient/security/ratelimited", "yahoo"},
		{"yahoo tss09", bouncescan.Event{Stage: bouncescan.StageConnect, Text: "553 5.7.1 [TSS09] All messages from 192.0.2.1 will be permanently deferred; Retrying will NOT succeed. See https://postmaster.yahooinc.com/error-codes"}, "permanent/security/blocked", "yahoo"},
		{"yahoo 5.7.9", bouncescan.Event{Stage: bouncescan.StageEndOfData, Text: "554 5.7.9 Message not accepted for policy reasons. See https://postmaster.yahooinc.com/error-codes"}, "permanent/security/policyviolation", "yahoo"},
		{"yahoo bl21", bouncescan.Event{Stage: bouncescan.StageConnect, Text: "553 5.7.1 [BL21] Connections will not be accepted from 192.0.2.1, because the ip is in Spamhaus's list; see https://postmaster.yahooinc.com/error-codes"}, "permanent/security/blocked", "yahoo"},
		{"yahoo nouser", bouncescan.Event{Stage: bouncescan.StageEndOfData, Text: "554 delivery error: dd This user doesn't have a yahoo.com account (bob@yahoo.com) [0] - mta1234.mail.gq1.yahoo.com"}, "permanent/addressing/userunknown", "yahoo"},
		{"aol ptr", bouncescan.Event{Stage: bouncescan.StageConnect, Text: "421 4.7.1 [DNS:NR] Connections not accepted from servers without a valid sender domain"}, "transient/security/requireptr", ""},
		// Apple iCloud
		{"icloud unknown", bouncescan.Event{Relay: "mx01.mail.icloud.com", Stage: bouncescan.StageRcpt, Text: "550 5.1.1 <bob@icloud.com>: unknown or illegal alias: bob@icloud.com"}, "permanent/addressing/userunknown", "apple"},
		{"icloud cs01", bouncescan.Event{Relay: "mx01.mail.icloud.com", Stage: bouncescan.StageEndOfData, Text: "554 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137"}, "permanent/security/policyviolation", "apple"},
		{"icloud quota", bouncescan.Event{Relay: "mx02.mail.icloud.com", Stage: bouncescan.StageRcpt, Text: "552 5.2.2 <bob@icloud.com>: user is over quota"}, "permanent/mailbox/mailboxfull", "apple"},
		// GMX / web.de / 1&1
		{"gmx policy", bouncescan.Event{Relay: "mx00.emig.gmx.net", Stage: bouncescan.StageConnect, Text: "554-gmx.net (mxgmx101) Nemesis ESMTP Service not available 554-No SMTP service 554-Reject due to policy restrictions. 554 For explanation visit https://postmaster.gmx.net/en/case?c=hi&i=ip&v=192.0.2.1&r=1ABCDE"}, "permanent/security/policyviolation", "gmx"},
		{"webde unknown", bouncescan.Event{Relay: "mx-ha03.web.de", Stage: bouncescan.StageRcpt, Text: "550 Requested action not taken: mailbox unavailable"}, "permanent/addressing/userunknown", "webde"},
		{"gmx size", bouncescan.Event{Relay: "mx01.emig.gmx.net", Stage: bouncescan.StageEndOfData, Text: "552 5.3.4 Mail size limit exceeded. For explanation visit https://postmaster.gmx.net/en/case?c=sl"}, "permanent/system/emailtoolarge", "gmx"},
		{"ionos ptr", bouncescan.Event{Relay: "mx00.ionos.de", Stage: bouncescan.StageConnect, Text: "554-IONOS (mxeu001) Nemesis ESMTP Service not available 554-No SMTP service 554-Bad DNS PTR resource record."}, "permanent/security/requireptr", "ionos"},
		// Mail.ru, Yandex, Zoho
		{"mailru unknown", bouncescan.Event{Relay: "mxs.mail.ru", Stage: bouncescan.StageRcpt, Text: "550 Message was not accepted -- invalid mailbox. Local mailbox bob@mail.ru is unavailable: user not found"}, "permanent/addressing/userunknown", "mailru"},
		{"mailru spam", bouncescan.Event{Relay: "mxs.mail.ru", Stage: bouncescan.StageEndOfData, Text: "550 spam message rejected. Please visit https://help.mail.ru/notspam-support/id?c=abc or report details to abuse@corp.mail.ru. Error code: ABC. ID: 123."}, "permanent/security/spamdetected", "mailru"},
		{"mailru disabled", bouncescan.Event{Relay: "mxs.mail.ru", Stage: bouncescan.StageRcpt, Text: "550 Message was not accepted -- invalid mailbox. Local mailbox bob@mail.ru is unavailable: account is disabled"}, "permanent/mailbox/suspend", "mailru"},
		{"yandex nouser", bouncescan.Event{Relay: "mx.yandex.ru", Stage: bouncescan.StageRcpt, Text: "550 5.7.1 No such user!"}, "permanent/addressing/userunknown", "yandex"},
		{"yandex spam", bouncescan.Event{Relay: "mx.yandex.ru", Stage: bouncescan.StageEndOfData, Text: "554 5.7.1 [2] Message rejected under suspicion of SPAM; https://ya.cc/1IrBc 1695000000-abcdEFGH"}, "permanent/security/spamdetected", "yandex"},
		{"zoho nouser", bouncescan.Event{Relay: "mx.zoho.com", Stage: bouncescan.StageRcpt, Text: "550 5.1.1 User does not exist - <bob@zoho.com>"}, "permanent/addressing/userunknown", "zoho"},
		{"zoho policy", bouncescan.Event{Relay: "mx.zoho.eu", Stage: bouncescan.StageEndOfData, Text: "554 5.7.7 Email policy violation detected"}, "permanent/security/policyviolation", "zoho"},
		// gateways
		{"proofpoint", bouncescan.Event{Stage: bouncescan.StageConnect, Text: "554 5.7.0 Blocked - see https://ipcheck.proofpoint.com/?ip=192.0.2.1"}, "permanent/security/blocked", "proofpoint"},
		{"mimecast unknown", bouncescan.Event{Stage: bouncescan.StageRcpt, Text: "550 Invalid Recipient - https://community.mimecast.com/docs/DOC-1369#550 [AbCdEf.us123]"}, "permanent/addressing/userunknown", "mimecast"},
		{"mimecast security", bouncescan.Event{Stage: bouncescan.StageEndOfData, Text: "554 Email rejected due to security policies - https://community.mimecast.com/docs/DOC-1369#554 [AbCdEf.us123]"}, "permanent/security/policyviolation", "mimecast"},
		{"mimecast envelope", bouncescan.Event{Stage: bouncescan.StageMail, Text: "550 Administrative prohibition - envelope blocked - https://community.mimecast.com/docs/DOC-1369#550 [AbCdEf.us123]"}, "permanent/security/blocked", "mimecast"},
		{"barracuda brbl", bouncescan.Event{Stage: bouncescan.StageConnect, Text: "554 Service unavailable; Client host [192.0.2.1] blocked using Barracuda Reputation; http://www.barracudanetworks.com/reputation/?r=1&ip=192.0.2.1"}, "permanent/security/blocked", "barracuda"},
		{"cisco connections", bouncescan.Event{Stage: bouncescan.StageConnect, Text: "421 Too many concurrent SMTP connections from this IP address; please try again later."}, "transient/protocol/toomanyconn", ""},
		{"cisco senderbase", bouncescan.Event{Stage: bouncescan.StageConnect, Text: "554 Your access to this mail system has been rejected due to the sending MTA's poor reputation. If you believe that this failure is in error, please contact the intended recipient via alternate means. (SenderBase)"}, "permanent/security/badreputation", ""},
		// blocklists
		{"spamhaus", bouncescan.Event{Stage: bouncescan.StageRcpt, Text: "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.1"}, "permanent/security/blocked", ""},
		{"spamcop", bouncescan.Event{Stage: bouncescan.StageRcpt, Text: "550 5.7.1 Rejected: 192.0.2.1 listed at bl.spamcop.net"}, "permanent/security/blocked", ""},
		// texts without codes, or with weak ones
		{"user unknown", bouncescan.Event{Status: bouncescan.StatusBounced, Text: "User unknown"}, "permanent/addressing/userunknown", ""},
		{"postfix local unknown", bouncescan.Event{Status: bouncescan.StatusBounced, Stage: bouncescan.StageLocal, Text: `unknown user: "bob"`}, "permanent/addressing/userunknown", ""},
		{"no such user", bouncescan.Event{Status: bouncescan.StatusBounced, Text: "No such user here"}, "permanent/addressing/userunknown", ""},
		{"mailbox full", bouncescan.Event{Status: bouncescan.StatusDeferred, Text: "mailbox full"}, "transient/mailbox/mailboxfull", ""},
		{"host not found", bouncescan.Event{Status: bouncescan.StatusBounced, Text: "Host or domain name not found. Name service error for name=example.invalid type=A: Host not found"}, "permanent/addressing/hostunknown", ""},
		{"timed out", bouncescan.Event{Status: bouncescan.StatusDeferred, Text: "connect to mx.example.com[192.0.2.1]:25: Connection timed out"}, "transient/network/networkerror", ""},
		{"refused", bouncescan.Event{Status: bouncescan.StatusDeferred, Text: "connect to mx.example.com[192.0.2.1]:25: Connection refused"}, "transient/network/networkerror", ""},
		{"lost connection", bouncescan.Event{Status: bouncescan.StatusDeferred, Text: "lost connection with mx.example.com[192.0.2.1] while sending RCPT TO"}, "transient/network/networkerror", ""},
		{"tls required", bouncescan.Event{Status: bouncescan.StatusDeferred, Text: "TLS is required, but was not offered by host mx.example.com[192.0.2.1]"}, "transient/security/failedstarttls", ""},
		{"exim retry timeout", bouncescan.Event{Status: bouncescan.StatusBounced, Text: "retry timeout exceeded"}, "permanent/network/expired", ""},
		{"exim all hosts failing", bouncescan.Event{Status: bouncescan.StatusBounced, Text: "all hosts for 'example.com' have been failing for a long time (and retry time not reached)"}, "permanent/network/expired", ""},
		{"expired status", bouncescan.Event{Status: bouncescan.StatusExpired, Text: "message expired"}, "transient/network/expired", ""},
		{"postfix virtual quota", bouncescan.Event{Status: bouncescan.StatusBounced, Stage: bouncescan.StageLocal, Text: "cannot update mailbox /var/mail/vhosts/example.com/bob for user bob. error writing message: Disk quota exceeded"}, "permanent/mailbox/mailboxfull", ""},
		{"postfix suspended delivery", bouncescan.Event{Status: bouncescan.StatusDeferred, Text: "delivery temporarily suspended: connect to mx.example.com[192.0.2.1]:25: Connection timed out"}, "transient/network/networkerror", ""},
		{"postfix forwarding loop", bouncescan.Event{Status: bouncescan.StatusBounced, Stage: bouncescan.StageLocal, Text: "mail forwarding loop for bob@example.com"}, "permanent/network/networkerror", ""},
		{"postfix local size limit", bouncescan.Event{Status: bouncescan.StatusBounced, Stage: bouncescan.StageLocal, Text: "cannot update mailbox /var/mail/bob for user bob. error writing message: File too large"}, "permanent/mailbox/mailboxfull", ""},
		{"postfix local permission", bouncescan.Event{Status: bouncescan.StatusDeferred, Stage: bouncescan.StageLocal, Text: "cannot append message to file /home/bob/mbox: Permission denied"}, "transient/system/systemerror", ""},
		{"postfix procmail", bouncescan.Event{Status: bouncescan.StatusBounced, Stage: bouncescan.StageLocal, Text: `Command died with status 1: "/usr/bin/procmail"`}, "permanent/system/mailererror", ""},
		{"exim retry time", bouncescan.Event{Status: bouncescan.StatusDeferred, Text: "retry time not reached for any host for 'example.com'"}, "transient/network/networkerror", ""},
		{"exim tls required", bouncescan.Event{Status: bouncescan.StatusDeferred, Text: "a TLS session is required, but the server did not offer TLS support"}, "transient/security/failedstarttls", ""},
		{"exim unrouteable", bouncescan.Event{Status: bouncescan.StatusBounced, Text: "Unrouteable address"}, "permanent/addressing/userunknown", ""},
		{"exim quota", bouncescan.Event{Status: bouncescan.StatusDeferred, Stage: bouncescan.StageLocal, Text: "mailbox is full (MTA-imposed quota exceeded while writing to file /var/mail/bob)"}, "transient/mailbox/mailboxfull", ""},
		{"mailbox size limit", bouncescan.Event{Stage: bouncescan.StageRcpt, Text: "552 5.2.2 Mailbox size limit exceeded"}, "permanent/mailbox/mailboxfull", ""},
		{"exim dane", bouncescan.Event{Status: bouncescan.StatusDeferred, Stage: bouncescan.StageLocal, Text: "DANE error: tlsa lookup DEFER"}, "transient/security/failedstarttls", ""},
		{"exim lmtp timeout", bouncescan.Event{Status: bouncescan.StatusDeferred, Stage: bouncescan.StageData, Text: "LMTP timeout after DATA"}, "transient/network/networkerror", ""},
		{"exim header sender", bouncescan.Event{Status: bouncescan.StatusRejected, Stage: bouncescan.StageEndOfData, ReplyCode: 550, Text: "there is no valid sender in any header line"}, "permanent/addressing/rejected", ""},
		{"exim lock file", bouncescan.Event{Status: bouncescan.StatusDeferred, Stage: bouncescan.StageLocal, Text: "Permission denied: creating lock file hitching post /var/mail/bob.lock"}, "transient/system/systemerror", ""},
		{"exim pipe", bouncescan.Event{Status: bouncescan.StatusBounced, Stage: bouncescan.StageLocal, Text: "Child process of address_pipe transport returned 69 from command: /usr/local/bin/filter"}, "permanent/system/mailererror", ""},
		{"too many open connections", bouncescan.Event{Stage: bouncescan.StageConnect, Text: "421 4.3.2 Too many open connections."}, "transient/protocol/toomanyconn", ""},
		{"address is not the provider", bouncescan.Event{Stage: bouncescan.StageRcpt, Text: "550 5.1.1 <bob@gmail.com>: Recipient address rejected: User unknown in virtual alias table"}, "permanent/addressing/userunknown", ""},
		{"rfc 7505 null mx", bouncescan.Event{Stage: bouncescan.StageRcpt, ReplyCode: 556, EnhancedCode: "5.1.10", Text: "Recipient address has null MX"}, "permanent/system/notaccept", ""},
		{"sender null mx", bouncescan.Event{Stage: bouncescan.StageMail, ReplyCode: 550, EnhancedCode: "5.7.27", Text: "Sender address has null MX"}, "permanent/addressing/rejected", ""},
		{"gmail receiving rate", bouncescan.Event{Stage: bouncescan.StageRcpt, Text: "450-4.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional messages from being delivered. https://support.google.com/mail/?p=ReceivingRatePerm - gsmtp"}, "transient/security/ratelimited", "gmail"},
		{"weak code, strong text", bouncescan.Event{ReplyCode: 550, EnhancedCode: "5.0.0", Stage: bouncescan.StageRcpt, Text: "Mailbox full"}, "permanent/mailbox/mailboxfull", ""},
		{"sent", bouncescan.Event{Status: bouncescan.StatusSent, ReplyCode: 250, EnhancedCode: "2.0.0", Text: "Ok: queued as 4XyZ1234"}, "success/other/delivered", ""},
	} {
		e := tc.e
		v := c.Classify(&e)
		got := v.Class.String() + "/" + v.Subject.String() + "/" + v.Reason
		if got != tc.verdict || v.Provider != tc.provider {
			t.Errorf("%s: got %s provider %q (rule %s, evidence %q), want %s provider %q", tc.name, got, v.Provider, v.Rule, v.Evidence, tc.verdict, tc.provider)
		}
		if v.Rule == "" {
			t.Errorf("%s: no rule id", tc.name)
		}
	}
}

func TestFlags(t *testing.T) {
	c := newTest(t)
	for _, tc := range []struct {
		name string
		e    bouncescan.Event
		want []string
	}{
		{"agree", bouncescan.Event{ReplyCode: 550, EnhancedCode: "5.1.1", Stage: bouncescan.StageRcpt, Text: "User unknown"}, nil},
		{"class differs", bouncescan.Event{ReplyCode: 450, EnhancedCode: "5.1.1", Stage: bouncescan.StageRcpt, Text: "User unknown"}, []string{FlagReplyEnhancedClass}},
		{"invalid for stage", bouncescan.Event{ReplyCode: 551, Stage: bouncescan.StageConnect, Text: "go away"}, []string{FlagReplyInvalidStage}},
		{"354 at rcpt", bouncescan.Event{ReplyCode: 354, Stage: bouncescan.StageRcpt, Text: "go on"}, []string{FlagReplyInvalidStage}},
		{"weak code", bouncescan.Event{ReplyCode: 550, EnhancedCode: "5.0.0", Stage: bouncescan.StageRcpt, Text: "550 5.0.0 mailbox full"}, []string{FlagTextOverWeakCode}},
		{"text over code", bouncescan.Event{ReplyCode: 550, EnhancedCode: "5.7.1", Stage: bouncescan.StageRcpt, Text: "Relay access denied"}, []string{FlagTextOverCode}},
		{"status", bouncescan.Event{Status: bouncescan.StatusDeferred, ReplyCode: 550, EnhancedCode: "5.1.1", Stage: bouncescan.StageRcpt, Text: "User unknown"}, []string{FlagStatusClass}},
	} {
		e := tc.e
		v := c.Classify(&e)
		if !slices.Equal(v.Flags, tc.want) {
			t.Errorf("%s: flags %v, want %v (verdict %s/%s rule %s)", tc.name, v.Flags, tc.want, v.Class, v.Reason, v.Rule)
		}
	}
}

// TestCacheTemplate: texts that differ only in addresses, IPs and long
// numbers share a cache entry and get the same verdict; the evidence is the
// first event's.
func TestCacheTemplate(t *testing.T) {
	c := newTest(t)
	a := bouncescan.Event{ReplyCode: 550, EnhancedCode: "5.1.1", Stage: bouncescan.StageRcpt, Text: "<alice@example.com>: Recipient address rejected: User unknown in virtual mailbox table (queue 4F3A2B1C9D8E, 192.0.2.10)"}
	b := a
	b.Text = "<bob@example.org>:   Recipient address rejected: User unknown in virtual mailbox table (queue 9A8B7C6D5E4F, 198.51.100.7)"
	d := a
	d.Stage = bouncescan.StageData
	va, vb := c.Classify(&a), c.Classify(&b)
	if va.Reason != vb.Reason || va.Rule != vb.Rule || va.Evidence != vb.Evidence {
		t.Errorf("same template, different verdicts: %+v vs %+v", va, vb)
	}
	if n := len(c.cache.young) + len(c.cache.old); n != 1 {
		t.Errorf("%d cache entries, want 1", n)
	}
	if vd := c.Classify(&d); vd.Reason != "userunknown" || len(c.cache.young) != 2 {
		t.Errorf("the stage is part of the key: %+v, %d entries", vd, len(c.cache.young))
	}
	// the key is bounded: a tiny cache keeps working
	small, err := New(Options{CacheSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range []string{"User unknown", "Mailbox full", "Relay access denied", "User unknown"} {
		e := bouncescan.Event{Text: text}
		want := []string{"userunknown", "mailboxfull", "norelaying", "userunknown"}[i]
		if v := small.Classify(&e); v.Reason != want {
			t.Errorf("small cache: %q → %s, want %s", text, v.Reason, want)
		}
		if n := len(small.cache.young) + len(small.cache.old); n > 2 {
			t.Errorf("small cache holds %d entries", n)
		}
	}
}

func TestAppendTemplate(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"550 5.1.1 <Bob@Example.COM>: User unknown", "550 5.1.1 <@>: user unknown"},
		{"Client host [192.0.2.1] blocked", "client host [#ip] blocked"},
		{"from 2001:db8::1 refused", "from #ip refused"},
		{"queued as 4F3A2B1C9D8E  ok", "queued as # ok"},
		{"451 4.7.650 rate limited\\n(S775)", "451 4.7.650 rate limited (s775)"},
		{"421 4.2.1 Connection deferred OXSUS0001_103", "421 4.2.1 connection deferred oxsus0001_103"},
		{"id SESS_1234567_ab ok", "id sess_#_ab ok"},
	} {
		if got := string(appendTemplate(nil, tc.in)); got != tc.want {
			t.Errorf("template(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestReasonsVocabulary(t *testing.T) {
	want := strings.Fields(`userunknown hostunknown hasmoved rejected filtered mailboxfull exceedlimit suspend
		systemfull notaccept emailtoolarge systemerror mailererror networkerror expired toomanyconn ratelimited
		syntaxerror contenterror notcompliantrfc securityerror authfailure blocked badreputation requireptr
		spamdetected policyviolation virusdetected norelaying failedstarttls greylisted queued discarded delivered undefined`)
	if !slices.Equal(Reasons(), want) {
		t.Errorf("Reasons() = %v, want %v", Reasons(), want)
	}
}

func TestNilEvent(t *testing.T) {
	v := newTest(t).Classify(nil)
	if v.Reason != "undefined" || v.Rule == "" {
		t.Errorf("nil event: %+v", v)
	}
}

func TestClone(t *testing.T) {
	c := newTest(t)
	d := c.Clone()
	e := bouncescan.Event{Text: "550 5.1.1 User unknown"}
	if c.Classify(&e).Reason != "userunknown" || d.Classify(&e).Reason != "userunknown" {
		t.Error("clone disagrees")
	}
	if len(c.cache.young) != 1 || len(d.cache.young) != 1 || d.cache.max != c.cache.max {
		t.Errorf("caches not separate: %d, %d", len(c.cache.young), len(d.cache.young))
	}
}

func TestPrefilter(t *testing.T) {
	for _, tc := range []struct{ expr, want string }{
		{`\[tss?0[0-9]\]`, "[ts"},
		{`\b[a-z0-9-]+(\.[a-z0-9-]+)+\.? does not exist`, " does not exist"},
		{`Mail Flood`, "mail flood"},
		{`(a|b)`, ""},
		{`日本`, "日本"},         // kanji have no other case: matched byte for byte
		{`Пользователь`, ""}, // Cyrillic folds (п/П): not byte for byte
		{`\x{FFFD}abc`, ""},  // one literal with the replacement rune, which also matches invalid bytes: refused
	} {
		if got := requiredLiteral(tc.expr); got != tc.want {
			t.Errorf("requiredLiteral(%q) = %q, want %q", tc.expr, got, tc.want)
		}
	}
	for _, tc := range []struct {
		expr string
		want []string
	}{
		{`\b(?:account|mailbox)\b.{0,9}\b(?:locked|suspended)\b`, []string{"account", "mailbox"}}, // the alternation whose shortest branch is longer
		{`\b(?:reverse dns|ptr record|rDNS)\b`, []string{"reverse dns", "ptr record", "rdns"}},
		{`(?:locked|ab)`, nil},  // a branch too short to help
		{`(?:locked|\d+)`, nil}, // a branch without a literal
		{`Mail Flood`, nil},     // has a single literal: requiredLiteral's job
		{`(?:ユーザー|宛先|受信者)[^。]{0,60}?(?:見つかりません|存在しません)`, []string{"見つかりません", "存在しません"}}, // the alternation whose shortest branch is longer
		{`(?:почтовый ящик|пользователь)`, nil},                                         // Cyrillic folds
	} {
		got := requiredAnyLiteral(tc.expr)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("requiredAnyLiteral(%q) = %q, want %q", tc.expr, got, tc.want)
		}
	}
	var g gramSet
	g.fill("550 5.1.1 user unknown in virtual mailbox table")
	for _, tc := range []struct {
		pat string
		may bool
	}{{"user unknown", true}, {"mailbox", true}, {"quota exceeded", false}, {"x", true}, {"", true}} {
		p := newTextPat(tc.pat)
		if got := p.mayBeIn(&g); got != tc.may {
			t.Errorf("%q may be in: %v, want %v", tc.pat, got, tc.may)
		}
	}
}

// FuzzClassify: any text and codes give a verdict with a known reason and
// a rule, evidence taken from the input, and the same verdict again from
// the cache.
func FuzzClassify(f *testing.F) {
	for _, s := range builtinMix {
		f.Add(s, 550, "5.1.1", uint8(bouncescan.StageRcpt))
	}
	f.Add("", 0, "", uint8(0))
	f.Add("\\n\\n 421-4.7.0 \\n", 421, "4.7.00", uint8(9))
	f.Add("550 5.7.606 Access denied, banned sending IP [2001:db8::1]", 250, "x.y.z", uint8(200))
	c := newTest(f)
	known := map[string]bool{}
	for _, r := range Reasons() {
		known[r] = true
	}
	f.Fuzz(func(t *testing.T, text string, reply int, enh string, stage uint8) {
		e := bouncescan.Event{Text: text, ReplyCode: reply, EnhancedCode: enh, Stage: bouncescan.Stage(stage % 10)}
		v := c.Classify(&e)
		if !known[v.Reason] || v.Rule == "" {
			t.Fatalf("verdict %+v for %+v", v, e)
		}
		if v.Class.String() == "" || strings.HasPrefix(v.Subject.String(), "subject(") {
			t.Fatalf("class/subject %v/%v", v.Class, v.Subject)
		}
		if w := c.Classify(&e); w.Reason != v.Reason || w.Rule != v.Rule || w.Class != v.Class {
			t.Fatalf("second verdict differs: %+v vs %+v", w, v)
		}
		_ = RecordOf(v)
	})
}

// FuzzParseTSV: a line is either an event or an InputError naming a column.
func FuzzParseTSV(f *testing.F) {
	f.Add("550\t5.1.1\tRCPT\tUser unknown")
	f.Add("\t\t\t")
	f.Add("55x\t5.1\tHELLO\t")
	f.Fuzz(func(t *testing.T, line string) {
		e, err := ParseTSV(line, 3)
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) || ie.Line != 3 || ie.Column < 1 || ie.Column > 4 {
				t.Fatalf("%q: %v", line, err)
			}
			return
		}
		if e == nil || (e.ReplyCode != 0 && (e.ReplyCode < 200 || e.ReplyCode > 599)) {
			t.Fatalf("%q: %+v", line, e)
		}
	})
}

func TestMaskAddresses(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"no address here", "no address here"},
		{"<marble@example.com>: user unknown", "<@@@@@@@@@@@@@@@@@@>: user unknown"},
		{"a@b c@d", "@@@ @@@"},
		{"trailing@", "@@@@@@@@@"},
	} {
		if got := maskAddresses(tc.in); got != tc.want {
			t.Errorf("maskAddresses(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	c := newTest(t)
	e := bouncescan.Event{Stage: bouncescan.StageRcpt, Text: "550 5.1.1 <marble.sorbs@example.com>: Recipient address rejected: User unknown"}
	if v := c.Classify(&e); v.Reason != "userunknown" {
		t.Errorf("an address matched a rule: %+v", v)
	}
}

func TestStageFromText(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bouncescan.Stage
	}{
		{"SMTP error from remote mail server after RCPT TO:<bob@example.com>: 550 5.1.1 unknown", bouncescan.StageRcpt},
		{"host mx[192.0.2.1] said: 550 5.7.1 spam (in reply to end of DATA command)", bouncescan.StageEndOfData},
		{"host mx[192.0.2.1] said: 554 5.5.1 no valid recipients (in reply to DATA command)", bouncescan.StageData},
		{"192.0.2.1 does not like recipient. Remote host said: 550 5.1.1 unknown", bouncescan.StageRcpt},
		{"... while talking to mx.example.com.: >>> MAIL From:<a@b> <<< 553 5.1.8 domain of sender address does not exist", bouncescan.StageMail},
		{"SMTP error from remote mail server after initial connection: 554 go away", bouncescan.StageConnect},
		{"550 5.1.1 User unknown", bouncescan.StageUnknown},
	} {
		if got := stageFromText(lowerASCII(tc.text)); got != tc.want {
			t.Errorf("stageFromText(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}
