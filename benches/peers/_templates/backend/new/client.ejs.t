---
to: <%= name %>/replica_client.go
---
// Package <%= name %> stores LTX files on <%= h.changeCase.upper(name) %>.
package <%= name %>

import (
	"context"
	"errors"
	"io"
	"log/slog"

	"github.com/superfly/ltx"

	"github.com/benbjohnson/litestream"
)

// ReplicaClientType is the client type for this package.
const ReplicaClientType = "<%= name %>"

var _ litestream.ReplicaClient = (*ReplicaClient)(nil)

var errNotImplemented = errors.New("<%= name %>: not implemented")

// ReplicaClient is a client for <%= h.changeCase.upper(name) %>.
type ReplicaClient struct {
	logger *slog.Logger

	Host string
	Path string
}

// NewReplicaClient returns a new client.
func NewReplicaClient() *ReplicaClient { return &ReplicaClient{} }

// Type returns "<%= name %>" as the client type.
func (c *ReplicaClient) Type() string { return ReplicaClientType }

// Init prepares the client.
func (c *ReplicaClient) Init(ctx context.Context) error { return nil }

// SetLogger sets the client's logger.
func (c *ReplicaClient) SetLogger(logger *slog.Logger) { c.logger = logger }

// LTXFiles returns an iterator over the LTX files of a level.
func (c *ReplicaClient) LTXFiles(ctx context.Context, level int, seek ltx.TXID, useMetadata bool) (ltx.FileIterator, error) {
	return nil, errNotImplemented
}

// OpenLTXFile returns a reader of an LTX file.
func (c *ReplicaClient) OpenLTXFile(ctx context.Context, level int, minTXID, maxTXID ltx.TXID, offset, size int64) (io.ReadCloser, error) {
	return nil, errNotImplemented
}

// WriteLTXFile writes an LTX file.
func (c *ReplicaClient) WriteLTXFile(ctx context.Context, level int, minTXID, maxTXID ltx.TXID, r io.Reader) (*ltx.FileInfo, error) {
	return nil, errNotImplemented
}

// DeleteLTXFiles deletes LTX files.
func (c *ReplicaClient) DeleteLTXFiles(ctx context.Context, a []*ltx.FileInfo) error {
	return errNotImplemented
}

// DeleteAll deletes every file.
func (c *ReplicaClient) DeleteAll(ctx context.Context) error { return errNotImplemented }
