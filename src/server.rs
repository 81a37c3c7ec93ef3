//! The daemon: open the engine, optionally load the sample, serve HTTP until told to
//! stop, then drain in-flight requests, commit the index and flush the store.

use crate::clock::Clock;
use crate::config::Config;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::{self, AppState, ConnLimits, Guard, Keys, Shared};
use crate::metrics::Metrics;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

/// A running daemon (used by `main` and by the integration tests).
pub struct Daemon {
    addr: SocketAddr,
    engine: Arc<Engine>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<()>>,
}

impl Daemon {
    /// Binds `config.listen` (port 0 picks one), then opens the data directory and
    /// starts serving. The address is bound first: a port in use fails before anything is
    /// created or indexed.
    pub async fn start(config: Config, clock: Arc<dyn Clock>) -> Result<Self> {
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|reason| Error::Listen {
                addr: config.listen,
                reason,
            })?;
        let addr = listener.local_addr()?;
        let plain = config.plain_text_keys();
        if !plain.is_empty() {
            tracing::warn!(
                keys = %plain.join(", "),
                "API keys given in plain text (--api-keys, PROFILED_API_KEYS or `key` in the config file) show in the process list and the file; for anything but development, make keys with `profiled keys new` and configure their hashes"
            );
        }
        let engine_config = config.engine();
        let sample = config.sample;
        let keys = Arc::new(Keys::new(
            &config.api_keys,
            &config.cors_origins,
            clock.clone(),
        ));
        let engine = tokio::task::spawn_blocking(move || -> Result<Engine> {
            let engine = Engine::open(engine_config, clock.clone())?;
            if sample {
                crate::sample::load_if_empty(&engine, clock.now())?;
            }
            Ok(engine)
        })
        .await
        .map_err(|_| Error::Internal("start-up task failed".into()))??;
        let engine = Arc::new(engine);
        restore_quotas(&engine, &keys).await?;
        let state = AppState::new(Shared {
            engine: engine.clone(),
            guard: Arc::new(Guard::new(
                &keys,
                addr,
                &config.cors_origins,
                &config.allowed_hosts,
            )),
            keys: keys.clone(),
            metrics: Arc::new(Metrics::new()),
            max_body_bytes: config.max_body_bytes,
            max_enrich_records: config.max_enrich_records,
            max_sightings: config.max_sightings,
            admission: http::Admission::new(config.max_in_flight),
            reads: http::ReadPool::new(config.read_threads)?,
        });
        let metrics = state.metrics.clone();
        let limits = ConnLimits {
            header_read_timeout: config.header_read_timeout,
            stall_timeout: config.stall_timeout,
            max_connections: config.max_connections,
        };
        let app = http::router(state, config.request_timeout);
        let (stop, stopped) = oneshot::channel::<()>();
        let (stop_sweeper, sweeper_stopped) = watch::channel(false);
        let sweeper = tokio::spawn(run_sweeper(
            engine.clone(),
            config.sweep_interval,
            purge_check_interval(config.purge_window),
            sweeper_stopped,
        ));
        let (stop_quotas, quotas_stopped) = watch::channel(false);
        let quota_saver = tokio::spawn(run_quota_saver(
            engine.clone(),
            keys.clone(),
            quotas_stopped,
        ));
        let (stop_healer, healer_stopped) = watch::channel(false);
        let healer = tokio::spawn(run_healer(engine.clone(), healer_stopped));
        let serving = engine.clone();
        let task = tokio::spawn(async move {
            http::serve(listener, app, limits, metrics, async {
                let _ = stopped.await;
            })
            .await;
            // In-flight requests have drained: stop the sweeper at its next batch, then
            // commit the index and flush the store.
            serving.begin_closing();
            let _ = stop_sweeper.send(true);
            let _ = sweeper.await;
            let _ = stop_quotas.send(true);
            let _ = quota_saver.await;
            let _ = stop_healer.send(true);
            let _ = healer.await;
            tokio::task::spawn_blocking(move || serving.shutdown())
                .await
                .map_err(|_| Error::Internal("shutdown task failed".into()))?
        });
        tracing::info!(%addr, "serving");
        Ok(Self {
            addr,
            engine,
            stop: Some(stop),
            task,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    /// Stops gracefully: no new connections, in-flight requests finish, data is flushed.
    pub async fn stop(mut self) -> Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task)
            .await
            .map_err(|_| Error::Internal("server task failed".into()))?
    }

    /// Serves until `signal` completes, then stops gracefully.
    pub async fn run_until(self, signal: impl Future<Output = ()>) -> Result<()> {
        signal.await;
        tracing::info!("shutting down: draining requests, committing the index");
        self.stop().await
    }
}

/// How often the daemon asks whether a purge is due: an eighth of the window (so data
/// waits at most half the window, plus this, plus the purge itself), between a minute
/// and an hour.
fn purge_check_interval(window: Duration) -> Duration {
    (window / 8).clamp(Duration::from_secs(60), Duration::from_secs(3600))
}

/// Sweeps expired profiles at start (finishing any sweep a crash interrupted) and then
/// every `interval`; every `purge_check` purges deleted data once it is due. Until told
/// to stop.
async fn run_sweeper(
    engine: Arc<Engine>,
    interval: Duration,
    purge_check: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut purge_ticks = tokio::time::interval(purge_check);
    purge_ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {
                let sweeping = engine.clone();
                background("sweep", move || sweeping.sweep(None).map(|_| ())).await;
            }
            _ = purge_ticks.tick() => {
                let purging = engine.clone();
                background("purge", move || purging.purge_if_due().map(|_| ())).await;
            }
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
    }
}

/// Runs one background job off the async runtime; a failure is logged and the job is
/// tried again at its next tick.
async fn background(job: &'static str, work: impl FnOnce() -> Result<()> + Send + 'static) {
    match tokio::task::spawn_blocking(work).await {
        Ok(Ok(())) => {}
        Ok(Err(err)) => {
            tracing::error!(job, error = %err, "background job failed; retrying at its next tick")
        }
        Err(_) => tracing::error!(job, "background task failed"),
    }
}

/// How often the disk's free space is measured and what a full disk broke is healed.
const HEAL_INTERVAL: Duration = Duration::from_secs(1);

/// Measures the disk every second and, once a full disk has room again, reopens the store
/// if sled gave up on it (`Engine::heal`), until told to stop.
async fn run_healer(engine: Arc<Engine>, mut stop: watch::Receiver<bool>) {
    let mut ticks = tokio::time::interval(HEAL_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stop.changed() => return,
        }
        let healing = engine.clone();
        background("heal", move || healing.heal()).await;
    }
}

/// How often the day's quota counts are saved to the store.
const QUOTA_SAVE_INTERVAL: Duration = Duration::from_secs(1);

/// Continues today's quota counts from the store.
async fn restore_quotas(engine: &Arc<Engine>, keys: &Arc<Keys>) -> Result<()> {
    let (engine, keys) = (engine.clone(), keys.clone());
    tokio::task::spawn_blocking(move || -> Result<()> {
        let today = http::quota_day(keys.now());
        for principal in keys.principals().filter(|p| p.usage.has_quota()) {
            let used = engine.quota_used(&principal.name, today)?;
            principal.usage.restore(today, used);
        }
        Ok(())
    })
    .await
    .map_err(|_| Error::Internal("quota restore task failed".into()))?
}

/// Saves the quota counts that changed, every second and once more when told to stop.
async fn run_quota_saver(engine: Arc<Engine>, keys: Arc<Keys>, mut stop: watch::Receiver<bool>) {
    if !keys.principals().any(|p| p.usage.has_quota()) {
        return;
    }
    let mut ticks = tokio::time::interval(QUOTA_SAVE_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let stopping = tokio::select! {
            _ = ticks.tick() => false,
            _ = stop.changed() => true,
        };
        let (engine, keys) = (engine.clone(), keys.clone());
        let saved = tokio::task::spawn_blocking(move || -> Result<()> {
            let unsaved = keys
                .principals()
                .filter_map(|p| p.usage.unsaved().map(|(day, used)| (p, day, used)));
            for (principal, day, used) in unsaved {
                engine.save_quota_used(&principal.name, day, used)?;
                principal.usage.mark_saved(day, used);
            }
            Ok(())
        })
        .await;
        match saved {
            Ok(Ok(())) => {}
            // The disk-full state is logged once, where it is measured.
            Ok(Err(Error::DiskFull)) => {
                tracing::debug!("the quota counts wait for room on the disk")
            }
            Ok(Err(err)) => {
                tracing::error!(error = %err, "saving the quota counts failed; retrying")
            }
            Err(_) => tracing::error!("quota saving task failed"),
        }
        if stopping || *stop.borrow() {
            return;
        }
    }
}

/// Completes on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
}
