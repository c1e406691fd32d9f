// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"fmt"
	"slices"
	"time"
)

// The mutation API lets incremental tests change the tenant between polls. Every method is safe
// for concurrent use with readers and takes effect on the next read.

// SetDetectionStatus changes the status of a host's detection at time at (New, Active, Re-Opened
// or Fixed). It moves the dates that change with the status (LAST_UPDATE_DATETIME,
// LAST_TEST_DATETIME, LAST_FIXED_DATETIME for Fixed, LAST_FOUND and re-open dates otherwise) and
// touches the host at `at`, because a status only changes when a scan is processed.
func (t *Tenant) SetDetectionStatus(hostID, qid uint64, status string, at time.Time) error {
	if !slices.Contains(allStatuses, status) {
		return fmt.Errorf("status %q is not one of New, Active, Re-Opened, Fixed", status)
	}
	h, ok := t.HostByID(hostID)
	if !ok {
		return fmt.Errorf("no host %d", hostID)
	}
	if !slices.Contains(t.hostQIDs(&h), qid) {
		return fmt.Errorf("host %d has no detection of QID %d", hostID, qid)
	}
	at = at.UTC().Truncate(time.Second)
	t.ov.mu.Lock()
	defer t.ov.mu.Unlock()
	o := t.ov.dets[hostID][qid]
	o.status, o.at = status, at
	t.ov.setDetLocked(hostID, qid, o)
	t.ov.touchLocked(hostID, at)
	return nil
}

// AddDetection gives a host a new detection of an existing QID, status New, found at `at`, and
// touches the host at `at`.
func (t *Tenant) AddDetection(hostID, qid uint64, at time.Time) error {
	h, ok := t.HostByID(hostID)
	if !ok {
		return fmt.Errorf("no host %d", hostID)
	}
	if !t.HasQID(qid) {
		return fmt.Errorf("QID %d is not in the KnowledgeBase", qid)
	}
	if slices.Contains(t.hostQIDs(&h), qid) {
		return fmt.Errorf("host %d already has QID %d", hostID, qid)
	}
	at = at.UTC().Truncate(time.Second)
	t.ov.mu.Lock()
	defer t.ov.mu.Unlock()
	t.ov.addQIDLocked(hostID, qid)
	t.ov.setDetLocked(hostID, qid, detOverride{added: true, addedAt: at})
	t.ov.touchLocked(hostID, at)
	return nil
}

// TouchHost marks a host scanned and processed at `at`: LAST_SCAN_DATETIME, LAST_VM_SCANNED_DATE,
// the vm_processed date, the asset's modified date and every detection's LAST_PROCESSED_DATETIME
// move to `at`. Detection statuses do not change.
func (t *Tenant) TouchHost(hostID uint64, at time.Time) error {
	if _, ok := t.HostIndex(hostID); !ok {
		return fmt.Errorf("no host %d", hostID)
	}
	t.ov.mu.Lock()
	defer t.ov.mu.Unlock()
	t.ov.touchLocked(hostID, at.UTC().Truncate(time.Second))
	return nil
}

// SetPostureStatus sets the status of one posture (Passed, Failed or Error) as evaluated at `at`;
// when the status changes, previousStatus takes the old one and postureModifiedDate becomes at.
func (t *Tenant) SetPostureStatus(policyID, hostID, controlID uint64, status string, at time.Time) error {
	if !slices.Contains(allPostureStatuses, status) {
		return fmt.Errorf("status %q is not one of Passed, Failed, Error", status)
	}
	p, ok := t.PolicyByID(policyID)
	if !ok {
		return fmt.Errorf("no policy %d", policyID)
	}
	i, ok := t.HostIndex(hostID)
	if !ok || !t.InPolicy(p.Index, i) {
		return fmt.Errorf("host %d is not in policy %d", hostID, policyID)
	}
	if !slices.ContainsFunc(p.Controls, func(c Control) bool { return c.ID == controlID }) {
		return fmt.Errorf("policy %d has no control %d", policyID, controlID)
	}
	t.ov.mu.Lock()
	defer t.ov.mu.Unlock()
	t.ov.postures[postureKey{policyID, hostID, controlID}] = postureOverride{status, at.UTC().Truncate(time.Second)}
	return nil
}

// AddKBEntry adds a KnowledgeBase entry for a QID that does not exist yet (below 1,000,000, as
// real QIDs are), published and modified at `at`. Use AddDetection to put it on a host.
func (t *Tenant) AddKBEntry(qid uint64, at time.Time) error {
	if qid == 0 || qid >= uniqueVulnMult {
		return fmt.Errorf("QID %d out of range 1-999999", qid)
	}
	if t.HasQID(qid) {
		return fmt.Errorf("QID %d already exists", qid)
	}
	t.ov.mu.Lock()
	defer t.ov.mu.Unlock()
	t.ov.kbAdded[qid] = at.UTC().Truncate(time.Second)
	s := append(slices.Clone(t.ov.kbSorted), qid)
	slices.Sort(s)
	t.ov.kbSorted = s
	return nil
}

// ModifyKB sets the LAST_SERVICE_MODIFICATION_DATETIME of a QID to `at`, as a KnowledgeBase
// update would (last_modified_after then returns it).
func (t *Tenant) ModifyKB(qid uint64, at time.Time) error {
	if !t.HasQID(qid) {
		return fmt.Errorf("QID %d is not in the KnowledgeBase", qid)
	}
	t.ov.mu.Lock()
	defer t.ov.mu.Unlock()
	t.ov.kbModified[qid] = at.UTC().Truncate(time.Second)
	return nil
}

// AddHost brings the next later host (TenantConfig.LaterHosts) into the tenant at `at`: scanned,
// processed and modified then, and first evaluated then by the policies it is in. It returns the
// host's ID, or an error when every later host has joined.
func (t *Tenant) AddHost(at time.Time) (uint64, error) {
	at = at.UTC().Truncate(time.Second)
	t.ov.mu.Lock()
	defer t.ov.mu.Unlock()
	if t.ov.joined >= t.cfg.LaterHosts {
		return 0, fmt.Errorf("all %d later hosts have joined (TenantConfig.LaterHosts)", t.cfg.LaterHosts)
	}
	id := t.HostID(t.cfg.Hosts - t.cfg.LaterHosts + t.ov.joined)
	t.ov.joined++
	t.ov.joinedAt[id] = at
	t.ov.touchLocked(id, at)
	return id, nil
}

// RemoveHost takes a host out of the tenant, as purging it does: no endpoint shows it or its
// detections and postures any more.
func (t *Tenant) RemoveHost(hostID uint64) error {
	if _, ok := t.HostIndex(hostID); !ok {
		return fmt.Errorf("no host %d", hostID)
	}
	t.ov.mu.Lock()
	defer t.ov.mu.Unlock()
	t.ov.removed[hostID] = true
	return nil
}

// ResetMutations discards every mutation: the tenant is generated data only again.
func (t *Tenant) ResetMutations() { t.ov.init() }

var (
	allStatuses        = []string{StatusNew, StatusActive, StatusReopened, StatusFixed}
	defaultStatuses    = []string{StatusNew, StatusActive, StatusReopened}
	allPostureStatuses = []string{PostureStatusPassed, PostureStatusFailed, PostureStatusError}
)
