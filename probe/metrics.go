package probe

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are one scheduler's Prometheus metrics, in a registry of its
// own: no global state, so tests and several schedulers do not collide.
type metrics struct {
	reg          *prometheus.Registry
	success      *prometheus.GaugeVec
	duration     *prometheus.GaugeVec
	lag          prometheus.Histogram
	skipped      prometheus.Counter
	recordErrors prometheus.Counter
	dropped      prometheus.Counter
}

func newMetrics(region string) *metrics {
	labels := []string{"component", "region"}
	regionLabel := prometheus.Labels{"region": region}
	m := &metrics{
		reg: prometheus.NewRegistry(),
		success: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "herald_probe_success",
			Help: "Confirmed state of the component's check: 1 up, 0 down. A change needs `confirm` agreeing results.",
		}, labels),
		duration: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "herald_probe_duration_seconds",
			Help: "How long the component's last check run took, in seconds.",
		}, labels),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:        "herald_probe_schedule_lag_seconds",
			Help:        "Delay between a run's planned start and its actual start.",
			Buckets:     []float64{.001, .005, .01, .05, .1, .25, .5, 1, 2.5, 5, 10},
			ConstLabels: regionLabel,
		}),
		skipped: prometheus.NewCounter(prometheus.CounterOpts{
			Name:        "herald_probe_skipped_runs_total",
			Help:        "Planned runs skipped because the check's previous run was still going or the scheduler fell a whole interval behind.",
			ConstLabels: regionLabel,
		}),
		recordErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name:        "herald_probe_record_errors_total",
			Help:        "Failed attempts to write results to the history store.",
			ConstLabels: regionLabel,
		}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name:        "herald_probe_dropped_results_total",
			Help:        "Results dropped because the history store failed for too long.",
			ConstLabels: regionLabel,
		}),
	}
	m.reg.MustRegister(m.success, m.duration, m.lag, m.skipped, m.recordErrors, m.dropped,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves /metrics (Prometheus text format, from the scheduler's own
// registry) and /healthz (200 "ok" while Run or Once is running, else 503).
// It is an http.Handler so another command can mount it on a listener it
// shares.
func (s *Scheduler) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if !s.running.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("not running\n"))
			return
		}
		w.Write([]byte("ok\n"))
	})
	return mux
}
