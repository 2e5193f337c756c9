package server

import (
	"context"
	"sync"
	"time"

	"github.com/ringlens/ringlens/graph/vocab"
	"github.com/ringlens/ringlens/graph/workspace"
)

// wsRefresh is how long a read of the workspace (a register of suspended
// staff, the open cases) is used before it is read again: reading it is a
// query, and neither a check nor intake may wait on one per claim.
const wsRefresh = 30 * time.Second

// maxRegisterDays bounds the registers of suspended staff kept, one per
// day asked for (checks ask for today, intake for the days of the claims:
// a year and some of them). A register holds the staff not active on its
// day only.
const maxRegisterDays = 400

// wsCache holds what checks (POST /api/v1/check) and intake
// (POST /api/v1/claims, --follow) read from the workspace: the register of
// suspended and terminated staff of a day and the open cases, each read
// again after wsRefresh. It is safe for concurrent use; without a
// workspace it answers nil.
type wsCache struct {
	ws *workspace.Workspace

	regMu sync.Mutex
	regs  map[string]*cachedRegister // by day (YYYY-MM-DD)

	casesMu sync.Mutex
	cases   *openCases
	casesAt time.Time
}

// cachedRegister is a register and when it was read.
type cachedRegister struct {
	reg *workspace.StaffRegister
	at  time.Time
}

// newWSCache returns the cache of ws (nil: no workspace).
func newWSCache(ws *workspace.Workspace) *wsCache {
	return &wsCache{ws: ws, regs: make(map[string]*cachedRegister)}
}

// register returns the register of staff suspended or terminated on day
// (YYYY-MM-DD), read again when older than wsRefresh. It returns nil
// without a workspace, or when the register cannot be read and none was
// read before (the caller then says nothing of staff); a failed refresh
// keeps the register read before.
func (c *wsCache) register(ctx context.Context, day string, now time.Time) *workspace.StaffRegister {
	if c == nil || c.ws == nil {
		return nil
	}
	c.regMu.Lock()
	defer c.regMu.Unlock()
	e := c.regs[day]
	if e != nil && now.Sub(e.at) <= wsRefresh {
		return e.reg
	}
	reg, err := c.ws.Register(ctx, day)
	if err != nil {
		if e != nil {
			return e.reg
		}
		return nil
	}
	if e == nil && len(c.regs) >= maxRegisterDays {
		c.evictOldest()
	}
	c.regs[day] = &cachedRegister{reg: reg, at: now}
	return reg
}

// evictOldest drops the register read longest ago; c.regMu must be held.
func (c *wsCache) evictOldest() {
	var oldest string
	var at time.Time
	for day, e := range c.regs {
		if oldest == "" || e.at.Before(at) {
			oldest, at = day, e.at
		}
	}
	delete(c.regs, oldest)
}

// openCases returns the open cases of the workspace, read again when
// older than wsRefresh; nil without a workspace, or when they cannot be
// read and were never read before.
func (c *wsCache) openCases(ctx context.Context, now time.Time) *openCases {
	if c == nil || c.ws == nil {
		return nil
	}
	c.casesMu.Lock()
	defer c.casesMu.Unlock()
	if c.cases != nil && now.Sub(c.casesAt) <= wsRefresh {
		return c.cases
	}
	cs, err := c.ws.List(ctx, workspace.Filter{})
	if err != nil {
		return c.cases
	}
	c.cases, c.casesAt = newOpenCases(cs), now
	return c.cases
}

// openCases maps each member ("kind:id", as clues record members) of a
// case still open to that case, the first recorded when several name it.
// It is immutable and satisfies algorithms/check.OpenCases.
type openCases struct {
	byMember map[string]string
}

// caseOpen reports whether a case in state status is still being worked:
// new, assigned, verifying or confirmed (awaiting its penalty or
// transfer). Dismissed, penalised and transferred cases are closed
// (docs/workflow.md).
func caseOpen(status string) bool {
	switch status {
	case vocab.StateNew, vocab.StateAssigned, vocab.StateVerifying, vocab.StateConfirmed:
		return true
	}
	return false
}

// newOpenCases indexes the members of the open cases of cs, given in order
// of recording.
func newOpenCases(cs []workspace.Clue) *openCases {
	oc := &openCases{byMember: make(map[string]string)}
	for _, c := range cs {
		if !caseOpen(c.Status) {
			continue
		}
		for _, m := range c.Members {
			if _, ok := oc.byMember[m]; !ok {
				oc.byMember[m] = c.ID
			}
		}
	}
	return oc
}

// OpenCase returns the open case naming the member of kind and id
// (algorithms/check.OpenCases).
func (oc *openCases) OpenCase(kind, id string) (string, bool) {
	caseID, ok := oc.byMember[kind+":"+id]
	return caseID, ok
}
