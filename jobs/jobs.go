// Package jobs runs Vigil's background jobs on gocron: one scheduler per region, in the
// region's time zone, on the server's clock; with several replicas a distributed locker
// (rediskit.RunLocker) lets one replica take each scheduled run (DESIGN.md §6, Jobs).
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/jonboulle/clockwork"

	"vigil/api"
	"vigil/rediskit"
	"vigil/scheduler"
)

// Job defaults.
const (
	// DefaultPregenLead is how long before a service day starts it is generated and cached.
	DefaultPregenLead = 2 * time.Hour
	// CatchUp is how far back each minute's sweep looks for releases and missed visits a
	// run did not announce (a replica stopped mid-run, a skipped run).
	CatchUp = time.Hour
	// onceKeep is how long an announced item's marker is kept.
	onceKeep = 72 * time.Hour
	// stopTimeout is how long Stop waits for a running job.
	stopTimeout = 10 * time.Second
)

// Service is what the jobs need of the HTTP service (*api.Server): its plan cache, its
// compliance figures and its event stream.
type Service interface {
	// PlanDay plans and caches a region's service day.
	PlanDay(ctx context.Context, region string, d scheduler.Date) error
	// PlannedVisits returns the visits of a region's service day, each with whether a
	// verified check-in did it.
	PlannedVisits(ctx context.Context, region string, d scheduler.Date) ([]api.PlannedVisit, error)
	// DutyRoster returns the duty roster of a region's service date, as plans staff it.
	DutyRoster(ctx context.Context, region string, d scheduler.Date) (scheduler.DayDuty, error)
	// Publish appends an event to a region's stream; it logs failures.
	Publish(ctx context.Context, region, typ string, officers []string, data any)
}

var _ Service = (*api.Server)(nil)

// Config configures the background jobs.
type Config struct {
	// Service plans days and publishes events; required.
	Service Service
	// Store is the service's store: the regions' forces, and the markers that make each
	// announcement happen once across runs and replicas. Required.
	Store scheduler.Store
	// Offices are the regions' DS offices by region id; regions without one have no jobs.
	Offices map[string]scheduler.Office
	// Clock drives the schedulers: the server's clock; nil means the wall clock.
	Clock clockwork.Clock
	// Locker, with several replicas, lets one replica run each scheduled run
	// (rediskit.RunLocker); nil for a single replica.
	Locker gocron.Locker
	// Logger logs failed runs; nil discards.
	Logger *slog.Logger
	// PregenLead is how long before a service day starts it is generated (default 2 h).
	PregenLead time.Duration
	// Regions limits the jobs to these regions; nil means every region.
	Regions []string
	// hook, in tests, runs at the start of every task with the job's name.
	hook func(ctx context.Context, job string)
}

// Jobs are the running background jobs: one gocron scheduler per region, in the region's
// time zone, with three jobs: pregen/<region> (the next service day is planned and cached
// PregenLead before it starts), release/<region> (at each shift's release time, its
// officers get a shift_released event) and sweep/<region> (every minute: visits whose
// planned arrival is api.CheckInWindow past without a verified check-in get a
// missed_visit event, and releases of the last CatchUp not yet announced are). Every
// announcement is claimed once in the store, so runs are idempotent; a run is keyed by
// its job name and scheduled minute (rediskit.RunTime).
type Jobs struct {
	cfg    Config
	ctx    context.Context
	cancel context.CancelFunc
	scheds []gocron.Scheduler
}

// Start starts the jobs of every region with a force, shifts and an office. Stop stops
// them.
func Start(ctx context.Context, cfg Config) (*Jobs, error) {
	if cfg.Service == nil || cfg.Store == nil {
		return nil, errors.New("jobs: a service and a store are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = clockwork.NewRealClock()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.PregenLead <= 0 {
		cfg.PregenLead = DefaultPregenLead
	}
	forces, err := cfg.Store.Forces(ctx)
	if err != nil {
		return nil, err
	}
	jctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	j := &Jobs{cfg: cfg, ctx: jctx, cancel: cancel}
	for _, f := range forces {
		o, ok := cfg.Offices[f.Region]
		if !ok || len(f.Shifts) == 0 || (cfg.Regions != nil && !slices.Contains(cfg.Regions, f.Region)) {
			continue
		}
		if err := j.addRegion(o, f); err != nil {
			j.Stop()
			return nil, err
		}
	}
	for _, sc := range j.scheds {
		sc.Start()
	}
	return j, nil
}

// clockAt returns the wall-clock time minutes before c, modulo a day.
func clockAt(c scheduler.Clock, before int) gocron.AtTime {
	m := ((c.Minutes()-before)%(24*60) + 24*60) % (24 * 60)
	return gocron.NewAtTime(uint(m/60), uint(m%60), 0)
}

// job is one of a region's jobs: its name, schedule and run.
type job struct {
	name string
	def  gocron.JobDefinition
	run  func(ctx context.Context, region string, at time.Time) error
}

func (j *Jobs) addRegion(o scheduler.Office, f scheduler.RegionForce) error {
	opts := []gocron.SchedulerOption{gocron.WithLocation(o.Location), gocron.WithClock(j.cfg.Clock), gocron.WithStopTimeout(stopTimeout)}
	if j.cfg.Locker != nil {
		opts = append(opts, gocron.WithDistributedLocker(j.cfg.Locker))
	}
	sc, err := gocron.NewScheduler(opts...)
	if err != nil {
		return err
	}
	j.scheds = append(j.scheds, sc)
	region := f.Region
	lead := int(j.cfg.PregenLead / time.Minute)
	var releases []gocron.AtTime
	for _, sh := range f.Shifts {
		releases = append(releases, clockAt(sh.Start, f.ReleaseBeforeMinutes))
	}
	for _, d := range []job{
		{"pregen/" + region, gocron.DailyJob(1, gocron.NewAtTimes(clockAt(f.Shifts[0].Start, lead))), j.pregen},
		{"release/" + region, gocron.DailyJob(1, gocron.NewAtTimes(releases[0], releases[1:]...)), j.release},
		{"sweep/" + region, gocron.CronJob("* * * * *", false), j.sweep},
	} {
		if _, err := sc.NewJob(d.def, gocron.NewTask(j.task(d, region)), gocron.WithName(d.name),
			gocron.WithSingletonMode(gocron.LimitModeReschedule)); err != nil {
			return fmt.Errorf("job %s: %w", d.name, err)
		}
	}
	return nil
}

// task returns the gocron task of a region's job: one run at its scheduled minute.
func (j *Jobs) task(d job, region string) func() error {
	return func() error {
		at := rediskit.RunTime(j.cfg.Clock.Now())
		if j.cfg.hook != nil {
			j.cfg.hook(j.ctx, d.name)
		}
		if j.ctx.Err() != nil {
			return j.ctx.Err() // stopped mid-run: the next sweep catches up
		}
		err := d.run(j.ctx, region, at)
		if err != nil {
			j.cfg.Logger.Warn("job failed", "job", d.name, "at", at, "err", err)
		}
		return err
	}
}

// Stop stops every scheduler; a running job is told to stop and waited for.
func (j *Jobs) Stop() error {
	j.cancel()
	var errs []error
	for _, sc := range j.scheds {
		errs = append(errs, sc.Shutdown())
	}
	return errors.Join(errs...)
}

// region returns a region's office and force.
func (j *Jobs) region(ctx context.Context, region string) (scheduler.Office, scheduler.RegionForce, error) {
	f, err := j.cfg.Store.Force(ctx, region)
	return j.cfg.Offices[region], f, err
}

// pregen plans and caches the service day starting next after at.
func (j *Jobs) pregen(ctx context.Context, region string, at time.Time) error {
	o, f, err := j.region(ctx, region)
	if err != nil {
		return err
	}
	next := scheduler.ServiceDateOf(at, f.Shifts, o.Location).AddDays(1)
	return j.cfg.Service.PlanDay(ctx, region, next)
}

// release announces the shifts whose release time is at.
func (j *Jobs) release(ctx context.Context, region string, at time.Time) error {
	return j.announceReleases(ctx, region, at, at)
}

// sweep announces missed visits and catches up on releases.
func (j *Jobs) sweep(ctx context.Context, region string, at time.Time) error {
	// Releases due in the last CatchUp, leaving the last two minutes to the release job.
	if err := j.announceReleases(ctx, region, at.Add(-CatchUp), at.Add(-2*time.Minute)); err != nil {
		return err
	}
	return j.announceMissed(ctx, region, at)
}

// releaseAt is when a shift starting at start reaches its officers.
func releaseAt(f scheduler.RegionForce, start time.Time) time.Time {
	return start.Add(-time.Duration(f.ReleaseBeforeMinutes) * time.Minute)
}

// announceReleases publishes, once each, the releases of shifts released in [from, to].
func (j *Jobs) announceReleases(ctx context.Context, region string, from, to time.Time) error {
	o, f, err := j.region(ctx, region)
	if err != nil {
		return err
	}
	d := scheduler.ServiceDateOf(to, f.Shifts, o.Location)
	for _, day := range []scheduler.Date{d, d.AddDays(1)} {
		duty, err := j.cfg.Service.DutyRoster(ctx, region, day)
		if err != nil {
			return err
		}
		for _, sh := range duty.Shifts {
			rel := releaseAt(f, sh.Start)
			if rel.Before(from) || rel.After(to) {
				continue
			}
			first, err := j.cfg.Store.Once(ctx, fmt.Sprintf("release/%s/%s/%s", region, day, sh.Shift), onceKeep)
			if err != nil || !first {
				return err
			}
			// The day is planned before its first shift is released.
			if err := j.cfg.Service.PlanDay(ctx, region, day); err != nil {
				return err
			}
			data := map[string]any{"date": day.String(), "shift": sh.Shift, "start": sh.Start, "end": sh.End}
			j.cfg.Service.Publish(ctx, region, api.EventShiftReleased, sh.Officers, data)
		}
	}
	return nil
}

// missedVisit is the data of a missed_visit event.
type missedVisit struct {
	Date    string    `json:"date"`
	Unit    string    `json:"unit"`
	Mission string    `json:"mission"`
	Name    string    `json:"mission_name"`
	Arrive  time.Time `json:"arrive"`
}

// announceMissed publishes, once each, the visits missed by at: planned arrival at least
// api.CheckInWindow before at (and within CatchUp), with no verified check-in.
func (j *Jobs) announceMissed(ctx context.Context, region string, at time.Time) error {
	o, f, err := j.region(ctx, region)
	if err != nil {
		return err
	}
	d := scheduler.ServiceDateOf(at, f.Shifts, o.Location)
	days := []scheduler.Date{d}
	if start, _ := scheduler.ServiceDayBounds(d, f.Shifts, o.Location); at.Sub(start) < CatchUp+api.CheckInWindow {
		days = append(days, d.AddDays(-1))
	}
	for _, day := range days {
		visits, err := j.cfg.Service.PlannedVisits(ctx, region, day)
		if err != nil {
			return err
		}
		// Whether a visit is due is judged as of the run's own time, not the server's.
		for _, v := range visits {
			due := v.Arrive.Add(api.CheckInWindow)
			if v.Done || due.After(at) || due.Before(at.Add(-CatchUp)) {
				continue
			}
			key := fmt.Sprintf("missed/%s/%s/%s/%d", region, v.Unit, v.Mission, v.Arrive.Unix())
			first, err := j.cfg.Store.Once(ctx, key, onceKeep)
			if err != nil {
				return err
			}
			if !first {
				continue
			}
			j.cfg.Service.Publish(ctx, region, api.EventMissedVisit, v.Officers,
				missedVisit{Date: day.String(), Unit: v.Unit, Mission: v.Mission, Name: v.MissionName, Arrive: v.Arrive})
		}
	}
	return nil
}
