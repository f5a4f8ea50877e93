package preview

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watch starts watching the config file and the templates directory and
// returns once it is (a save after Watch returns is seen); from then until
// ctx ends, every change makes a Reload. It watches the directories, not
// the files: editors save by writing a new file and renaming it over the
// old one, which a watch on the file itself would lose. Bursts of events
// within Debounce make one Reload.
func (s *Server) Watch(ctx context.Context) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	cfgPath, tmplDir, err := s.addWatches(w)
	if err != nil {
		w.Close()
		return err
	}
	go func() {
		defer w.Close()
		s.watchLoop(ctx, w, cfgPath, tmplDir)
	}()
	return nil
}

func (s *Server) addWatches(w *fsnotify.Watcher) (cfgPath, tmplDir string, err error) {
	if cfgPath, err = filepath.Abs(s.opts.ConfigPath); err != nil {
		return "", "", err
	}
	if err := w.Add(filepath.Dir(cfgPath)); err != nil {
		return "", "", fmt.Errorf("watch %s: %w", filepath.Dir(cfgPath), err)
	}
	if s.opts.TemplatesDir != "" {
		if tmplDir, err = filepath.Abs(s.opts.TemplatesDir); err != nil {
			return "", "", err
		}
		if err := w.Add(tmplDir); err != nil {
			return "", "", fmt.Errorf("watch %s: %w", tmplDir, err)
		}
	}
	return cfgPath, tmplDir, nil
}

func (s *Server) watchLoop(ctx context.Context, w *fsnotify.Watcher, cfgPath, tmplDir string) {
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
			return
		case ev, ok := <-w.Events:
			if !ok {
				return
			}
			if relevant(ev.Name) && ev.Op != fsnotify.Chmod {
				timer.Reset(s.opts.Debounce)
			}
		case err, ok := <-w.Errors:
			if !ok {
				return
			}
			s.log.Warn("file watch error", "error", err.Error())
		case <-timer.C:
			s.Reload(ctx)
		}
	}
}
