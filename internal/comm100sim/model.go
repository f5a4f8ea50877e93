package comm100sim

import (
	"math"
	"sync"
	"time"
)

// slotLen is the simulator's atom of time. Every real UTC offset is a
// multiple of 15 minutes, so buckets in any offset are unions of slots, and
// every total is a sum over slots: hours add up to days by construction.
const slotLen = 15 * time.Minute

// slotOf returns the slot index of an instant (slots since the Unix epoch).
func slotOf(t time.Time) int64 { return int64(math.Floor(float64(t.Unix()) / slotLen.Seconds())) }

func slotStart(s int64) time.Time { return time.Unix(s*int64(slotLen/time.Second), 0).UTC() }

// rng is a stateless hash: the same inputs always give the same number.
type rng struct{ seed uint64 }

func mix(x uint64) uint64 { // splitmix64 finaliser
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// u returns a uniform float in [0,1) for the given coordinates.
func (r rng) u(parts ...int64) float64 { return unit(r.hash(parts)) }

func (r rng) hash(parts []int64) uint64 {
	h := mix(r.seed)
	for _, p := range parts {
		h = mix(h ^ uint64(p))
	}
	return h
}

func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }

// count draws a small non-negative integer with mean about lambda. Its
// second draw is u(parts..., 991), hashed on without copying the parts.
func (r rng) count(lambda float64, parts ...int64) int {
	if lambda <= 0 {
		return 0
	}
	h := r.hash(parts)
	return int(lambda*2*unit(h) + 0.5*unit(mix(h^991)))
}

// weekdayOf is the UTC weekday of slot s (1 January 1970 was a Thursday).
func weekdayOf(s int64) time.Weekday {
	day := s / 96
	if s < 0 && s%96 != 0 {
		day--
	}
	return time.Weekday(((day+4)%7 + 7) % 7)
}

// slotIntensity is intensity at slot s's start, from a table: it depends
// only on the weekday and the quarter hour.
func slotIntensity(s int64) float64 {
	wd := weekdayOf(s)
	return intensityTable[wd][(s%96+96)%96]
}

var intensityTable = func() (t [7][96]float64) {
	monday := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)
	for d := 0; d < 7; d++ {
		for q := 0; q < 96; q++ {
			at := monday.AddDate(0, 0, d).Add(time.Duration(q) * slotLen)
			t[at.Weekday()][q] = intensity(at)
		}
	}
	return t
}()

// intensity is the site's chat demand per agent per slot: busy on weekday
// afternoons (UTC), quiet at night and at weekends.
func intensity(t time.Time) float64 {
	h := float64(t.Hour()) + float64(t.Minute())/60
	day := 0.15 + 0.85*math.Exp(-math.Pow((h-14)/3.5, 2))
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		day *= 0.45
	}
	return 1.1 * day
}

// agentState is what an agent is doing in a slot.
type agentState int

const (
	stateOffline agentState = iota
	stateOnline
	stateAway
)

func (s agentState) String() string {
	switch s {
	case stateOnline:
		return "Online"
	case stateAway:
		return "Away"
	}
	return "Offline"
}

// stateOf follows a shift pattern: four shifts through the UTC day, weekdays
// for most agents, a short away break in the middle of each shift.
func (m *model) stateOf(k int, s int64) agentState {
	wd := weekdayOf(s)
	if (wd == time.Saturday || wd == time.Sunday) && k%5 != 0 {
		return stateOffline
	}
	start := int64(6+(k%4)*3) * 4 // shift start, in slots after midnight UTC
	inDay := (s%96 + 96) % 96
	off := inDay - start
	if off < 0 || off >= 8*4 {
		return stateOffline
	}
	if off == 16+int64(k%3) || off == 17+int64(k%3) {
		return stateAway
	}
	return stateOnline
}

// cell is everything that happened for one agent in one slot.
type cell struct {
	online, away                                           float64 // seconds
	requests, chats, missed, refused                       float64
	queued, fromQueue, switched, abandoned                 float64
	waitSum, waitMax, missedWaitSum, missedWaitMax         float64
	chatTime, linear, idle                                 float64
	score                                                  [5]float64 // score1..score5
	transfers, deptTransfers, transferIn, transferOut      float64
	wrapups, conversions, value                            float64
	chattedVisitors, convertedVisitors, convertedChatted   float64
	manualSent, manualAccepted, fromAuto, fromManual       float64
	responseSum, agentMsgs, visitorMsgs, canned, lastAgent float64
}

type model struct {
	r      rng
	agents int
	depts  []Entity

	// Sums are cached so a site of thousands of agents answers a digest's
	// calls in seconds: per slot for the whole site (every time bucket is a
	// union of slots), per range for narrower keyed selections (an agent's
	// row, a department filter). Cached or not, the numbers are the same.
	mu         sync.Mutex
	siteSlots  map[int64]slotSum
	rangeSums  map[rangeKey]acc
	byDept     [][]int // agents of each department
	byCampaign [][]int
	bySegment  [][]int
	byAction   [][]int
}

// maxCached bounds each cache; past it the cache starts again.
const maxCached = 200_000

type rangeKey struct {
	sel      string
	from, to int64
}

func newModel(seed uint64, agents int, depts []Entity) *model {
	m := &model{r: rng{seed: seed}, agents: agents, depts: depts, siteSlots: map[int64]slotSum{}, rangeSums: map[rangeKey]acc{}}
	m.byDept = m.partition(len(depts), m.deptOf)
	m.byCampaign = m.partition(len(campaigns), campaignOf)
	m.bySegment = m.partition(len(visitorSegments), segmentOf)
	m.byAction = m.partition(len(conversionActs), func(k int) int { return k % len(conversionActs) })
	return m
}

// partition lists the agents in each of n groups.
func (m *model) partition(n int, of func(int) int) [][]int {
	out := make([][]int, n)
	for k := 0; k < m.agents; k++ {
		out[of(k)] = append(out[of(k)], k)
	}
	return out
}

// cell computes agent k's slot s. Field numbers keep draws independent.
func (m *model) cell(k int, s int64) cell {
	var c cell
	st := m.stateOf(k, s)
	if st == stateOffline {
		return c
	}
	K := int64(k)
	if st == stateAway {
		c.away = slotLen.Seconds()
		return c
	}
	c.online = slotLen.Seconds()
	busy := slotIntensity(s)
	lambda := busy * (0.7 + 0.6*m.r.u(int64(k), 7))
	c.requests = float64(m.r.count(lambda, s, K, 1))
	c.manualSent = b(m.r.u(s, K, 30) < 0.25)
	c.manualAccepted = b(c.manualSent > 0 && m.r.u(s, K, 31) < 0.4)
	c.requests += c.manualAccepted
	if c.requests > 0 {
		c.refused = b(m.r.u(s, K, 2) < 0.03)
		c.missed = b(c.requests > c.refused && m.r.u(s, K, 3) < 0.07)
	}
	c.chats = c.requests - c.refused - c.missed
	if c.chats > 0 || c.missed > 0 {
		if m.r.u(s, K, 4) < 0.2+0.3*busy {
			c.queued = math.Min(c.requests, 1+float64(m.r.count(busy, s, K, 5)))
			c.abandoned = b(m.r.u(s, K, 6) < 0.12)
			c.switched = b(c.queued > c.abandoned && m.r.u(s, K, 8) < 0.08)
			c.fromQueue = math.Max(0, c.queued-c.abandoned-c.switched)
		}
		perChat := 8 + 70*busy*m.r.u(s, K, 9)
		c.waitSum = math.Round(perChat * (c.chats + c.missed))
		c.waitMax = math.Round(perChat * (1.2 + m.r.u(s, K, 10)))
		if c.missed > 0 {
			c.missedWaitSum = math.Round(c.missed * (40 + 120*m.r.u(s, K, 11)))
			c.missedWaitMax = c.missedWaitSum / c.missed
		}
	}
	if c.chats > 0 {
		c.chatTime = math.Round(c.chats * (240 + 660*m.r.u(s, K, 12)))
		for i := 0; i < int(c.chats); i++ {
			if m.r.u(s, K, 13, int64(i)) < 0.45 {
				v := m.r.u(s, K, 14, int64(i))
				idx := 4 // score5
				switch {
				case v > 0.97:
					idx = 0
				case v > 0.93:
					idx = 1
				case v > 0.82:
					idx = 2
				case v > 0.55:
					idx = 3
				}
				c.score[idx]++
			}
		}
		c.transfers = b(m.r.u(s, K, 15) < 0.08)
		c.deptTransfers = b(c.transfers > 0 && m.r.u(s, K, 16) < 0.5)
		c.transferIn = b(m.r.u(s, K, 17) < 0.05)
		c.transferOut = c.deptTransfers
		c.wrapups = c.chats - b(m.r.u(s, K, 18) < 0.15)
		c.chattedVisitors = c.chats
		c.conversions = b(m.r.u(s, K, 19) < 0.14)
		c.convertedChatted = c.conversions
		c.value = math.Round(c.conversions*(19+180*m.r.u(s, K, 20))*100) / 100
		c.fromAuto = b(c.chats > c.manualAccepted && m.r.u(s, K, 21) < 0.15)
		c.fromManual = math.Min(c.manualAccepted, c.chats-c.fromAuto)
		c.responseSum = math.Round(c.chats * (15 + 45*m.r.u(s, K, 22)))
		c.agentMsgs = math.Round(c.chats * (8 + 14*m.r.u(s, K, 23)))
		c.visitorMsgs = math.Round(c.chats * (6 + 10*m.r.u(s, K, 24)))
		c.canned = math.Round(c.chats * 3 * m.r.u(s, K, 25))
		c.lastAgent = math.Round(c.chats * (0.5 + 0.4*m.r.u(s, K, 26)))
	}
	c.convertedVisitors = c.conversions + b(m.r.u(s, K, 27) < 0.05)
	c.linear = math.Min(c.online, math.Round(c.chatTime*0.7))
	c.idle = c.online - c.linear
	return c
}

func b(v bool) float64 {
	if v {
		return 1
	}
	return 0
}

// acc sums cells over agents and slots. Peak fields take the maximum.
type acc struct {
	cell
	slots                     int     // slots seen
	maxQueue                  float64 // largest per-slot queue
	visits, autoSent, autoAcc float64
	offlineButton             float64
	anyOnline                 float64 // seconds with at least one included agent online
	loggedIn                  float64
}

// add sums c into x; peak fields take the maximum.
func (x *cell) add(c cell) {
	x.online += c.online
	x.away += c.away
	x.requests += c.requests
	x.chats += c.chats
	x.missed += c.missed
	x.refused += c.refused
	x.queued += c.queued
	x.fromQueue += c.fromQueue
	x.switched += c.switched
	x.abandoned += c.abandoned
	x.waitSum += c.waitSum
	x.waitMax = math.Max(x.waitMax, c.waitMax)
	x.missedWaitSum += c.missedWaitSum
	x.missedWaitMax = math.Max(x.missedWaitMax, c.missedWaitMax)
	x.chatTime += c.chatTime
	x.linear += c.linear
	x.idle += c.idle
	for i := range x.score {
		x.score[i] += c.score[i]
	}
	x.transfers += c.transfers
	x.deptTransfers += c.deptTransfers
	x.transferIn += c.transferIn
	x.transferOut += c.transferOut
	x.wrapups += c.wrapups
	x.conversions += c.conversions
	x.value += c.value
	x.chattedVisitors += c.chattedVisitors
	x.convertedVisitors += c.convertedVisitors
	x.convertedChatted += c.convertedChatted
	x.manualSent += c.manualSent
	x.manualAccepted += c.manualAccepted
	x.fromAuto += c.fromAuto
	x.fromManual += c.fromManual
	x.responseSum += c.responseSum
	x.agentMsgs += c.agentMsgs
	x.visitorMsgs += c.visitorMsgs
	x.canned += c.canned
	x.lastAgent += c.lastAgent
}

// siteCell is what happens site-wide in a slot, independent of agents.
type siteCell struct{ visits, autoSent, autoAcc, offlineButton float64 }

func (m *model) site(s int64, campaign int, anyOnline bool) siteCell {
	in := slotIntensity(s)
	C := int64(campaign)
	sc := siteCell{
		visits:   float64(m.r.count(in*9*(1+0.4*float64(campaign%2)), s, C, 40)),
		autoSent: float64(m.r.count(in*2, s, C, 41)),
	}
	sc.autoAcc = float64(m.r.count(sc.autoSent*0.2, s, C, 42))
	if !anyOnline {
		sc.offlineButton = float64(m.r.count(in*0.6, s, C, 43))
	}
	return sc
}

// selection says which agents and campaigns a row covers.
type selection struct {
	agent    func(k int) bool
	campaign func(c int) bool
	// agents, when non-nil, lists every agent the selection can hold, so a
	// per-agent row costs that agent's cells, not a scan of the whole site.
	agents []int
	// key names the selection for the caches: "all" for the whole site, ""
	// for selections that are not cached.
	key string
}

func all(int) bool { return true }

var everything = selection{agent: all, campaign: all, key: "all"}

// and intersects two selections.
func (sel selection) and(o selection) selection {
	out := selection{
		agent:    func(k int) bool { return sel.agent(k) && o.agent(k) },
		campaign: func(c int) bool { return sel.campaign(c) && o.campaign(c) },
		agents:   sel.agents,
	}
	if out.agents == nil {
		out.agents = o.agents
	}
	switch {
	case o.key == "all":
		out.key = sel.key
	case sel.key == "all":
		out.key = o.key
	}
	return out
}

// slotSum is one slot's contribution to an acc.
type slotSum struct {
	cell
	loggedIn, queue                          float64
	online                                   bool
	visits, autoSent, autoAcc, offlineButton float64
}

// accumulate sums the selected agents and campaigns over [from, to).
func (m *model) accumulate(from, to time.Time, sel selection) acc {
	if sel.key == "" || sel.key == "all" {
		return m.sumSlots(from, to, sel)
	}
	k := rangeKey{sel: sel.key, from: from.Unix(), to: to.Unix()}
	m.mu.Lock()
	a, ok := m.rangeSums[k]
	m.mu.Unlock()
	if ok {
		return a
	}
	a = m.sumSlots(from, to, sel)
	m.mu.Lock()
	if len(m.rangeSums) >= maxCached {
		m.rangeSums = map[rangeKey]acc{}
	}
	m.rangeSums[k] = a
	m.mu.Unlock()
	return a
}

func (m *model) sumSlots(from, to time.Time, sel selection) acc {
	var a acc
	for s := slotOf(from); slotStart(s).Before(to); s++ {
		if slotStart(s).Before(from) {
			continue
		}
		a.slots++
		ss := m.slot(s, sel)
		a.add(ss.cell)
		a.loggedIn += ss.loggedIn
		a.maxQueue = math.Max(a.maxQueue, ss.queue)
		if ss.online {
			a.anyOnline += slotLen.Seconds()
		}
		a.visits += ss.visits
		a.autoSent += ss.autoSent
		a.autoAcc += ss.autoAcc
		a.offlineButton += ss.offlineButton
	}
	return a
}

// slot sums the selected agents and campaigns in slot s.
func (m *model) slot(s int64, sel selection) slotSum {
	if sel.key == "all" {
		m.mu.Lock()
		ss, ok := m.siteSlots[s]
		m.mu.Unlock()
		if ok {
			return ss
		}
	}
	var ss slotSum
	visit := func(k int) {
		if !sel.agent(k) {
			return
		}
		c := m.cell(k, s)
		if c.online > 0 {
			ss.online = true
		}
		if c.online > 0 || c.away > 0 {
			ss.loggedIn += slotLen.Seconds()
		}
		ss.queue += c.queued
		ss.add(c)
	}
	if sel.agents != nil {
		for _, k := range sel.agents {
			visit(k)
		}
	} else {
		for k := 0; k < m.agents; k++ {
			visit(k)
		}
	}
	for c := 0; c < len(campaigns); c++ {
		if !sel.campaign(c) {
			continue
		}
		sc := m.site(s, c, m.anyAgentOnline(s))
		ss.visits += sc.visits
		ss.autoSent += sc.autoSent
		ss.autoAcc += sc.autoAcc
		ss.offlineButton += sc.offlineButton
	}
	if sel.key == "all" {
		m.mu.Lock()
		if len(m.siteSlots) >= maxCached {
			m.siteSlots = map[int64]slotSum{}
		}
		m.siteSlots[s] = ss
		m.mu.Unlock()
	}
	return ss
}

// anyAgentOnline says whether anyone on the site is online in slot s. An
// agent's state depends on its index modulo 60 only (see stateOf), so the
// first 60 agents decide it for a site of any size.
func (m *model) anyAgentOnline(s int64) bool {
	for k := 0; k < min(m.agents, 60); k++ {
		if m.stateOf(k, s) == stateOnline {
			return true
		}
	}
	return false
}

func ratio(n, d float64) float64 {
	if d == 0 {
		return 0
	}
	return n / d
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
