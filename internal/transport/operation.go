package transport

import "context"

type operationKey struct{}

// WithOperation records the API operationId a request belongs to, for the
// per-attempt log record.
func WithOperation(ctx context.Context, operationID string) context.Context {
	return context.WithValue(ctx, operationKey{}, operationID)
}

// Operation returns the operationId recorded by WithOperation, or "".
func Operation(ctx context.Context) string {
	s, _ := ctx.Value(operationKey{}).(string)
	return s
}
