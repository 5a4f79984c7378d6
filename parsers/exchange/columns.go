package exchange

import (
	"bytes"
	"strings"
)

// col names a column the parser reads, whatever the layout calls it.
type col uint8

const (
	colTime col = iota
	colClientIP
	colClientHost
	colServerIP
	colServerHost
	colConnector
	colSource
	colEventID
	colInternalID
	colMessageID
	colNetworkID
	colRecipient
	colRecipientStatus
	colBytes
	colRelated
	colSender
	colReturnPath
	// protocol logs
	colSession
	colSeq
	colLocal
	colRemote
	colEvent
	colData
	colContext
	// message trace exports and agent logs
	colStatus
	colToIP
	colFromIP
	colTraceID
	colDetail
	colAction
	colAgent
	colSMTPResponse
	colReason
	colReasonData
	// connectivity logs
	colConnSession
	colDirection
	colDescription
	colCount
)

// kind is the sort of log a layout describes.
type kind uint8

const (
	kindNone         kind = iota
	kindTracking          // message tracking log (MSGTRK), extended message trace report
	kindProtocol          // SMTP send/receive protocol log
	kindTrace             // Get-MessageTrace / admin center message trace export
	kindDetail            // Get-MessageTraceDetail export
	kindSummary           // message trace summary report (recipient_status "addr##Receive, Deliver")
	kindAgent             // anti-spam agent log
	kindConnectivity      // transport connectivity log (CONNECTLOG): connections, not messages
)

// layout maps the columns of the current file to their positions.
type layout struct {
	kind kind
	idx  [colCount]int16 // position + 1; 0 = absent
	n    int             // number of columns declared
}

func (l *layout) has(c col) bool { return l.idx[c] > 0 }

// get returns the value of column c in the fields of a row (nil if the
// layout or the row lacks it).
func (l *layout) get(f [][]byte, c col) []byte {
	i := int(l.idx[c]) - 1
	if i < 0 || i >= len(f) {
		return nil
	}
	return f[i]
}

// colOf maps a normalised column name (lower case, without '-', '_' and
// spaces) to a column. ok is false for columns the parser does not read.
func colOf(name string) (col, bool) {
	switch name {
	case "datetime", "datetimeutc", "timestamp", "origintimestamputc", "origintimestamp", "received", "date", "receiveddatetime":
		return colTime, true
	case "clientip":
		return colClientIP, true
	case "clienthostname":
		return colClientHost, true
	case "serverip":
		return colServerIP, true
	case "serverhostname":
		return colServerHost, true
	case "connectorid":
		return colConnector, true
	case "source":
		return colSource, true
	case "eventid":
		return colEventID, true
	case "internalmessageid":
		return colInternalID, true
	case "messageid":
		return colMessageID, true
	case "networkmessageid", "networkmsgid":
		return colNetworkID, true
	case "recipientaddress", "recipients", "recipient", "recipientaddresses":
		return colRecipient, true
	case "recipientstatus":
		return colRecipientStatus, true
	case "totalbytes", "size":
		return colBytes, true
	case "relatedrecipientaddress":
		return colRelated, true
	case "senderaddress", "sender", "p1fromaddress":
		return colSender, true
	case "returnpath":
		return colReturnPath, true
	case "sessionid":
		return colSession, true
	case "sequencenumber":
		return colSeq, true
	case "localendpoint":
		return colLocal, true
	case "remoteendpoint", "ipaddress":
		// ipaddress: the client of an Exchange 2010 agent log row
		return colRemote, true
	case "event":
		return colEvent, true
	case "data":
		return colData, true
	case "context":
		return colContext, true
	case "status", "deliverystatus":
		return colStatus, true
	case "toip":
		return colToIP, true
	case "fromip", "enteredorgfromip":
		return colFromIP, true
	case "messagetraceid":
		return colTraceID, true
	case "detail":
		return colDetail, true
	case "action":
		return colAction, true
	case "agent":
		return colAgent, true
	case "smtpresponse":
		return colSMTPResponse, true
	case "reason":
		return colReason, true
	case "reasondata":
		return colReasonData, true
	case "session":
		return colConnSession, true
	case "direction":
		return colDirection, true
	case "description":
		return colDescription, true
	}
	return 0, false
}

// normName lower-cases a column name and drops '-', '_', ' ', quotes and
// a parenthesised suffix (the admin center writes "Date (UTC)").
func normName(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	b = bytes.TrimSpace(b)
	if i := bytes.IndexByte(b, '('); i > 0 && bytes.HasSuffix(b, []byte(")")) {
		b = b[:i]
	}
	for _, c := range b {
		switch {
		case c == '-' || c == '_' || c == ' ' || c == '"' || c == '\t':
		case c >= 'A' && c <= 'Z':
			sb.WriteByte(c + 'a' - 'A')
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

// errLayout explains why a list of column names is not a layout we read.
type errLayout string

func (e errLayout) Error() string { return string(e) }

// newLayout builds a layout from column names. It fails on duplicated
// names (a corrupted #Fields line) and on lists that name no known log.
func newLayout(names [][]byte) (layout, error) {
	var l layout
	l.n = len(names)
	seen := make(map[string]bool, len(names))
	for i, n := range names {
		name := normName(n)
		if name == "" {
			continue
		}
		if seen[name] {
			return layout{}, errLayout("duplicated field " + strings.TrimSpace(string(n)))
		}
		seen[name] = true
		if c, ok := colOf(name); ok && l.idx[c] == 0 && i < 32767 {
			l.idx[c] = int16(i + 1)
		}
	}
	switch {
	case l.has(colSession) && l.has(colEvent) && l.has(colData):
		l.kind = kindProtocol
	case l.has(colAgent) && l.has(colAction):
		l.kind = kindAgent
	case l.has(colConnSession) && l.has(colDirection) && l.has(colDescription):
		l.kind = kindConnectivity
	case l.has(colEventID) && l.has(colRecipient):
		l.kind = kindTracking
	case l.has(colStatus) && l.has(colRecipient):
		l.kind = kindTrace
	case l.has(colEvent) && l.has(colDetail):
		l.kind = kindDetail
	case l.has(colRecipientStatus) && l.has(colSender):
		l.kind = kindSummary
	default:
		return layout{}, errLayout("no known Exchange log layout")
	}
	if !l.has(colTime) {
		return layout{}, errLayout("no date-time field")
	}
	return l, nil
}

// Default field orders, for files whose header is missing.
const (
	protocolFields     = "date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context"
	tracking2013       = "date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,event-id,internal-message-id,message-id,network-message-id,recipient-address,recipient-status,total-bytes,recipient-count,related-recipient-address,reference,message-subject,sender-address,return-path,message-info,directionality,tenant-id,original-client-ip,original-server-ip,custom-data,transport-traffic-type,log-id,schema-version"
	tracking2007       = "date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,event-id,internal-message-id,message-id,recipient-address,recipient-status,total-bytes,recipient-count,related-recipient-address,reference,message-subject,sender-address,return-path,message-info"
	connectivityFields = "date-time,session,source,Destination,direction,description"
	tracking2010       = "date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,event-id,internal-message-id,message-id,recipient-address,recipient-status,total-bytes,recipient-count,related-recipient-address,reference,message-subject,sender-address,return-path,message-info,directionality,tenant-id,original-client-ip,original-server-ip,custom-data"
)

// mustLayout builds a layout from a comma-separated list that is known to
// be valid.
func mustLayout(list string) layout {
	l, err := newLayout(bytes.Split([]byte(list), []byte(",")))
	if err != nil {
		panic(err) // programming error: the lists above are constants
	}
	return l
}
