package classify

import "testing"

// TestCodesFromText: the codes a reply text carries, and the numbers that
// look like codes and are not.
func TestCodesFromText(t *testing.T) {
	for _, tc := range []struct {
		text       string
		replyClass int
		reply      int
		enh        string
	}{
		{"550-5.1.1 The email account that you tried to reach does not exist", 0, 550, "5.1.1"},
		{"host mx.example.net said: 452 4.2.2 Mailbox full", 0, 452, "4.2.2"},
		{"Resources temporarily unavailable, please try again later [#4.1.9].", 0, 0, "4.1.9"},
		{"Sorry, no mailbox here by that name. (#5.1.1)", 5, 0, "5.1.1"},
		// a section of an RFC, and a code of another class than the reply's
		{"550 HELO is an IP address (See RFC2821 4.1.3)", 0, 550, ""},
		{"550 HELO should be a FQDN (See RFC 5321, section 4.1.1)", 0, 550, ""},
		{"HELO is an IP address (See RFC2821 4.1.3)", 4, 0, ""},
		{"rejected, see 4.7.1 below", 5, 0, ""},
		{"rejected, see 5.7.1 below", 5, 0, "5.7.1"},
	} {
		reply, enh := codesFromText(tc.text, tc.replyClass)
		if reply != tc.reply || enh != tc.enh {
			t.Errorf("codesFromText(%q, %d) = %d, %q; want %d, %q", tc.text, tc.replyClass, reply, enh, tc.reply, tc.enh)
		}
	}
}
