package aggregate

import "github.com/bouncescan/bouncescan"

// Outcomes counts the events of one group (or of the whole report, or of
// one time bucket). All fields add up when reports merge; the rates are
// derived by Finish.
type Outcomes struct {
	Events   int64 `json:"events"`
	Sent     int64 `json:"sent"`     // delivered (hand-offs to an internal hop excluded)
	Deferred int64 `json:"deferred"` // deferral events (attempts, not recipients)
	Bounced  int64 `json:"bounced"`
	Expired  int64 `json:"expired"`
	Rejected int64 `json:"rejected"`
	Handoffs int64 `json:"handoffs,omitempty"` // internal hand-offs (Event.Hop): not deliveries
	Other    int64 `json:"other,omitempty"`    // discarded, held, filtered, pending, unknown

	// Delay of delivered recipients (seconds, as logged: from arrival to
	// delivery).
	DelaySum   float64 `json:"delay_sum"`
	DelayCount int64   `json:"delay_count"`
	DelayMax   float64 `json:"delay_max"`

	Retry Retry `json:"retry"`

	// Derived by Finish (see README "Rates").
	BounceRate   float64 `json:"bounce_rate"`   // (bounced+expired) / (sent+bounced+expired)
	DeferralRate float64 `json:"deferral_rate"` // deferred / (deferred+sent+bounced+expired)
	DelayAvg     float64 `json:"delay_avg"`
}

// Retry counts the paths of recipients from first attempt to final outcome,
// from Event.Attempt: each final outcome says how many attempts it took.
type Retry struct {
	FirstTry          int64 `json:"delivered_first_try"`
	AfterDeferrals    int64 `json:"delivered_after_deferrals"`
	BouncedFirstTry   int64 `json:"bounced_first_try"`
	BouncedAfterDefer int64 `json:"bounced_after_deferrals"`
	Expired           int64 `json:"expired"`
	// Pending: recipients whose last event in the input is a deferral (or
	// a pending status): still in the queue at the end of the logs.
	Pending int64 `json:"pending"`
	// Unknown: final outcomes whose attempt number the parser did not know.
	Unknown int64 `json:"unknown_attempt,omitempty"`
	// Of the recipients delivered after deferrals: the deferrals before
	// their delivery, and how long delivery took.
	Deferrals     int64   `json:"deferrals_before_delivery"`
	RetryDelaySum float64 `json:"retry_delay_sum"`
	RetryDelayMax float64 `json:"retry_delay_max"`
	// AfterN: delivered after N deferrals, by N ("1", "2", "3", "4-5",
	// "6-10", "11+").
	AfterN Counts `json:"delivered_after_n,omitempty"`
}

// AfterBuckets are the names of Retry.AfterN's buckets, in order.
func AfterBuckets() []string { return []string{"1", "2", "3", "4-5", "6-10", "11+"} }

// RetryDelayAvg is how long, on average, the deliveries after deferrals
// took from the first attempt (seconds; 0 when there were none).
func (r *Retry) RetryDelayAvg() float64 {
	if r.AfterDeferrals == 0 {
		return 0
	}
	return r.RetryDelaySum / float64(r.AfterDeferrals)
}

// afterBucket names the bucket of deliveries after n deferrals.
func afterBucket(n int) string {
	switch {
	case n <= 3:
		return itoa(n)
	case n <= 5:
		return "4-5"
	case n <= 10:
		return "6-10"
	}
	return "11+"
}

// Delivered tells whether the event is a delivery (not an internal hop).
func delivered(e *bouncescan.Event) bool { return e.Status == bouncescan.StatusSent && !e.Hop }

func (o *Outcomes) add(e *bouncescan.Event) {
	o.Events++
	switch e.Status {
	case bouncescan.StatusSent:
		if e.Hop {
			o.Handoffs++
			return
		}
		o.Sent++
		if e.Delay > 0 {
			o.DelaySum += e.Delay
			o.DelayCount++
			o.DelayMax = max(o.DelayMax, e.Delay)
		}
		switch {
		case e.Attempt == 1:
			o.Retry.FirstTry++
		case e.Attempt > 1:
			o.Retry.AfterDeferrals++
			o.Retry.Deferrals += int64(e.Attempt - 1)
			o.Retry.RetryDelaySum += e.Delay
			o.Retry.RetryDelayMax = max(o.Retry.RetryDelayMax, e.Delay)
			if o.Retry.AfterN == nil {
				o.Retry.AfterN = Counts{}
			}
			o.Retry.AfterN[afterBucket(e.Attempt-1)]++
		default:
			o.Retry.Unknown++
		}
	case bouncescan.StatusDeferred:
		o.Deferred++
	case bouncescan.StatusBounced:
		o.Bounced++
		switch {
		case e.Attempt == 1:
			o.Retry.BouncedFirstTry++
		case e.Attempt > 1:
			o.Retry.BouncedAfterDefer++
		default:
			o.Retry.Unknown++
		}
	case bouncescan.StatusExpired:
		o.Expired++
		o.Retry.Expired++
	case bouncescan.StatusRejected:
		o.Rejected++
	case bouncescan.StatusPending:
		o.Other++
		o.Retry.Pending++
	default:
		o.Other++
	}
}

func (o *Outcomes) merge(x *Outcomes) {
	o.Events += x.Events
	o.Sent += x.Sent
	o.Deferred += x.Deferred
	o.Bounced += x.Bounced
	o.Expired += x.Expired
	o.Rejected += x.Rejected
	o.Handoffs += x.Handoffs
	o.Other += x.Other
	o.DelaySum += x.DelaySum
	o.DelayCount += x.DelayCount
	o.DelayMax = max(o.DelayMax, x.DelayMax)
	r, y := &o.Retry, &x.Retry
	r.FirstTry += y.FirstTry
	r.AfterDeferrals += y.AfterDeferrals
	r.BouncedFirstTry += y.BouncedFirstTry
	r.BouncedAfterDefer += y.BouncedAfterDefer
	r.Expired += y.Expired
	r.Pending += y.Pending
	r.Unknown += y.Unknown
	r.Deferrals += y.Deferrals
	r.RetryDelaySum += y.RetryDelaySum
	r.RetryDelayMax = max(r.RetryDelayMax, y.RetryDelayMax)
	if len(y.AfterN) > 0 {
		if r.AfterN == nil {
			r.AfterN = Counts{}
		}
		r.AfterN.add(y.AfterN)
	}
}

// finish derives the rates.
func (o *Outcomes) finish() {
	o.BounceRate, o.DeferralRate, o.DelayAvg = 0, 0, 0
	if final := o.Sent + o.Bounced + o.Expired; final > 0 {
		o.BounceRate = float64(o.Bounced+o.Expired) / float64(final)
		o.DeferralRate = float64(o.Deferred) / float64(final+o.Deferred)
	} else if o.Deferred > 0 {
		o.DeferralRate = 1
	}
	if o.DelayCount > 0 {
		o.DelayAvg = o.DelaySum / float64(o.DelayCount)
	}
}

// Final is the number of final outcomes (the denominator of BounceRate).
func (o *Outcomes) Final() int64 { return o.Sent + o.Bounced + o.Expired }

// Sum adds x into o and derives the rates again (for outputs that sum
// rows, such as the rest beyond --top).
func (o *Outcomes) Sum(x *Outcomes) {
	o.merge(x)
	o.finish()
}
