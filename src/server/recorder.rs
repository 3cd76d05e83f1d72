//! Writes surface decisions (an event and one impression per presented offer) in batches, off
//! the request path: a decision hands its record to a channel and answers at once; one task
//! writes whatever has queued up meanwhile in a single transaction (group commit: under load the
//! batches grow by themselves, when idle each record is written as soon as it arrives).
//!
//! Nothing queued is lost on a clean shutdown: [`Recorder::shutdown`] runs after the server has
//! stopped accepting requests and returns once the queue is written. A batch that fails to write
//! is retried a few times before it is logged and dropped.
use crate::server::db::{Db, impressions};
use tokio::sync::{mpsc, oneshot};

enum Msg {
    Decision(impressions::Decision),
    /// Answers once everything sent before it is written.
    Flush(oneshot::Sender<()>),
}

#[derive(Clone)]
pub struct Recorder {
    tx: mpsc::Sender<Msg>,
}

/// Records held at once; a full queue makes decisions wait (back-pressure) rather than grow.
const QUEUE: usize = 20_000;
const MAX_BATCH: usize = 1_000;

impl Recorder {
    /// Starts the writer task on the current tokio runtime.
    pub fn start(db: Db) -> Recorder {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(run(db, rx));
        Recorder { tx }
    }

    pub async fn decision(&self, d: impressions::Decision) {
        if self.tx.send(Msg::Decision(d)).await.is_err() {
            tracing::error!("the decision recorder has stopped; a decision was not recorded");
        }
    }

    /// Waits until everything recorded so far is in the database.
    pub async fn flush(&self) {
        let (ack, done) = oneshot::channel();
        if self.tx.send(Msg::Flush(ack)).await.is_ok() {
            let _ = done.await;
        }
    }

    /// The clean-shutdown path: writes what is queued.
    pub async fn shutdown(&self) {
        self.flush().await;
    }
}

async fn run(db: Db, mut rx: mpsc::Receiver<Msg>) {
    let mut msgs = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut msgs, MAX_BATCH).await > 0 {
        let mut batch = Vec::with_capacity(msgs.len());
        let mut acks = Vec::new();
        for m in msgs.drain(..) {
            match m {
                Msg::Decision(d) => batch.push(d),
                Msg::Flush(a) => acks.push(a),
            }
        }
        if !batch.is_empty() {
            write(&db, &batch).await;
        }
        for a in acks {
            let _ = a.send(());
        }
    }
}

async fn write(db: &Db, batch: &[impressions::Decision]) {
    for attempt in 1..=5u32 {
        let result = async {
            let mut tx = db.begin_write().await?;
            impressions::insert_decisions(&mut tx, db.backend, batch).await?;
            tx.commit().await
        }
        .await;
        match result {
            Ok(()) => return,
            Err(e) if attempt < 5 => {
                tracing::warn!("writing {} decisions failed (attempt {attempt}): {e}", batch.len());
                tokio::time::sleep(std::time::Duration::from_millis(100 * 2u64.pow(attempt))).await;
            }
            Err(e) => tracing::error!("dropped {} decisions after 5 failed writes: {e}", batch.len()),
        }
    }
}
