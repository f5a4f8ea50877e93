package preview

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watch re-renders after the config file or a template changes, until ctx
// ends. It watches the directories, not the files: editors save by writing
// a new file and renaming it over the old one, which a watch on the file
// itself would lose. Bursts of events within Debounce make one Reload.
func (s *Server) Watch(ctx context.Context) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	defer w.Close()
	cfgPath, err := filepath.Abs(s.opts.ConfigPath)
	if err != nil {
		return err
	}
	if err := w.Add(filepath.Dir(cfgPath)); err != nil {
		return fmt.Errorf("watch %s: %w", filepath.Dir(cfgPath), err)
	}
	tmplDir := ""
	if s.opts.TemplatesDir != "" {
		if tmplDir, err = filepath.Abs(s.opts.TemplatesDir); err != nil {
			return err
		}
		if err := w.Add(tmplDir); err != nil {
			return fmt.Errorf("watch %s: %w", tmplDir, err)
		}
	}
	relevant := func(name string) bool {
		name, _ = filepath.Abs(name)
		return name == cfgPath || (tmplDir != "" && filepath.Dir(name) == tmplDir && strings.HasSuffix(name, ".tmpl"))
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if relevant(ev.Name) && ev.Op != fsnotify.Chmod {
				timer.Reset(s.opts.Debounce)
			}
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			s.log.Warn("file watch error", "error", err.Error())
		case <-timer.C:
			s.Reload(ctx)
		}
	}
}
