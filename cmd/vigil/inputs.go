package main

import (
	"errors"
	"flag"
	"fmt"
	"time"

	"vigil/fixtures"
	"vigil/scheduler"
)

// inputFlags are the flags every command reading missions and force shares.
type inputFlags struct {
	missions, force, officers, leave string
}

func (f *inputFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.missions, "missions", "", "missions CSV file or directory of CSV files (default: the shipped fixtures)")
	fs.StringVar(&f.force, "force", "", "force YAML file (default: the shipped fixtures/force.yaml)")
	registerPeople(fs, &f.officers, &f.leave)
}

// registerPeople registers --officers and --leave, which plan, check, simulate and serve share.
func registerPeople(fs *flag.FlagSet, officers, leave *string) {
	fs.StringVar(officers, "officers", "", "officers CSV (id,name,region,qualifications,max_hours_week); its regions get named officers instead of the force file's count (fixtures/officers.csv is the shipped one, for wfo)")
	fs.StringVar(leave, "leave", "", "leave CSV (officer,from,to,kind)")
}

// load loads and validates the inputs; any problem in them is bad input (exit 2).
func (f *inputFlags) load() (*fixtures.Dataset, error) {
	ds, err := fixtures.Load(f.missions, f.force)
	if err != nil {
		return nil, usageError{err}
	}
	if err := ds.AddPeople(f.officers, f.leave); err != nil {
		return nil, usageError{err}
	}
	return ds, nil
}

// regionInputs loads the inputs of one region, which must be given.
func (f *inputFlags) regionInputs(region string) (scheduler.Inputs, error) {
	if region == "" {
		return scheduler.Inputs{}, usageError{errors.New("--region is required")}
	}
	ds, err := f.load()
	if err != nil {
		return scheduler.Inputs{}, err
	}
	in, err := ds.Inputs(region)
	if err != nil {
		return scheduler.Inputs{}, usageError{err}
	}
	return in, nil
}

// serviceDate parses --date, defaulting to the next service day to start after now.
func serviceDate(s string, in scheduler.Inputs, now time.Time) (scheduler.Date, error) {
	if s != "" {
		d, err := scheduler.ParseDate(s)
		if err != nil {
			return d, usageError{fmt.Errorf("--date: %w", err)}
		}
		return d, nil
	}
	return scheduler.NextServiceDate(now, in.Force.Shifts, in.Office.Location), nil
}
