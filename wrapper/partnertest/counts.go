package partnertest

// count records a request for operationID ("" for one no operation matched).
func (a *API) count(operationID string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.total++
	if operationID != "" {
		a.requests[operationID]++
	}
}

// markApplied records that an operation was carried out.
func (a *API) markApplied(operationID string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.applied[operationID]++
}

// Requests returns how many requests for the operation (named by its
// operationId) reached the fake, whatever their outcome: rejected,
// faulted or served. "" counts every request, unroutable ones included.
func (a *API) Requests(operationID string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	if operationID == "" {
		return a.total
	}
	return a.requests[operationID]
}

// Applied returns how many requests for the operation were carried out:
// they passed authentication and validation and the operation succeeded
// (2xx), including those whose answer a [Fault.AfterAction] or
// [Fault.Truncate] fault then hid from the client. For a create or a
// metering call, that is how many organizations or batches exist because
// of it. "" sums every operation.
func (a *API) Applied(operationID string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	if operationID != "" {
		return a.applied[operationID]
	}
	n := 0
	for _, v := range a.applied {
		n += v
	}
	return n
}

// ResetCounts sets every [API.Requests] and [API.Applied] count to zero.
// The organizations and metering stay.
func (a *API) ResetCounts() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.total = 0
	clear(a.requests)
	clear(a.applied)
}
