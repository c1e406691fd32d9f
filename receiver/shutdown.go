// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver // import "github.com/seed-d80aa3af/qualysreceiver/receiver"

import (
	"context"
	"errors"
	"fmt"

	"go.uber.org/zap"
)

// Shutdown has a deadline, and a poll may be held by what the receiver does not control: the next
// consumer, or a storage extension. So every wait on the way out ends with ctx.

// lockTransition takes the right to start or stop a polling period, or gives up when ctx ends (a
// period stopping after a lost lease may still be waiting for its polls).
func (r *Receiver) lockTransition(ctx context.Context) error {
	select {
	case r.transition <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *Receiver) unlockTransition() { <-r.transition }

// awaitPolls waits for run's schedulers to return, or for ctx to end. A poll cancelled by the
// stop saves its position before it returns; one that has not returned by the deadline keeps the
// position it saved last, and the next start resumes from there.
func (r *Receiver) awaitPolls(ctx context.Context, run *running) error {
	select {
	case <-run.done:
		return nil
	case <-ctx.Done():
		r.settings.Logger.Error("A poll did not stop before the shutdown deadline; the next start resumes from its last saved checkpoint",
			zap.Error(ctx.Err()))
		return fmt.Errorf("a poll did not stop before the shutdown deadline: %w", ctx.Err())
	}
}

// untilDone calls consume and returns its answer, or ctx's error once ctx ends first: a consumer
// that never answers must not hold a poll past shutdown. The batch then counts as not accepted, so
// the poll saves the position before it and the next start pulls it again; should the consumer
// accept it after all, it arrives twice, never not at all.
func untilDone(ctx context.Context, consume func() error) error {
	if ctx.Done() == nil {
		return consume()
	}
	answer := make(chan error, 1)
	go func() { answer <- consume() }()
	select {
	case err := <-answer:
		return err
	case <-ctx.Done():
		select {
		case err := <-answer: // answered as ctx ended: the answer stands
			return err
		default:
			return ctx.Err()
		}
	}
}

// closeWithin calls close and returns its answer, or an error naming what once ctx ends first: a
// poll that outlived the deadline may still hold what is closed (file_storage's Close waits for a
// write in progress), and Shutdown must not wait for it.
func closeWithin(ctx context.Context, what string, close func(context.Context) error) error {
	err := untilDone(ctx, func() error { return close(ctx) })
	if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return fmt.Errorf("closing %s did not finish before the shutdown deadline: %w", what, err)
	}
	return err
}
