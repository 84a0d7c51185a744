//! Independent stages of a run on a few threads: started heaviest first,
//! collected in the order they were listed, so the report does not depend
//! on the thread count or on which stage finished first.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use crate::run::{Config, Run};

/// The work of one stage: it fills a [`Run`] of its own.
type Work<'a> = Box<dyn FnOnce(&mut Run) + Send + 'a>;

/// One stage of a run: the label `progress` is told when it starts, its
/// rough cost (any unit; only the order matters) and its work.
pub(crate) struct Job<'a> {
    label: String,
    cost: u32,
    work: Work<'a>,
}

impl<'a> Job<'a> {
    /// A stage named `label` of rough cost `cost`.
    pub(crate) fn new(label: String, cost: u32, work: impl FnOnce(&mut Run) + Send + 'a) -> Self {
        Job { label, cost, work: Box::new(work) }
    }
}

/// Runs `jobs` on up to `threads` threads (at least one), the most costly
/// first (ties in list order), and returns one run with their steps and
/// controls in list order. `progress` is called on this thread, with each
/// stage's label as a worker starts it.
pub(crate) fn run_jobs(cfg: &Config, jobs: Vec<Job<'_>>, threads: usize, progress: &mut dyn FnMut(&str)) -> Run {
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(jobs[i].cost));
    let labels: Vec<String> = jobs.iter().map(|j| j.label.clone()).collect();
    let work: Vec<Mutex<Option<Work<'_>>>> = jobs.into_iter().map(|j| Mutex::new(Some(j.work))).collect();
    let done: Vec<Mutex<Option<Run>>> = (0..labels.len()).map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let threads = threads.clamp(1, labels.len().max(1));
    let (tx, rx) = mpsc::channel::<usize>();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (order, work, done, next) = (&order, &work, &done, &next);
            scope.spawn(move || {
                while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let _ = tx.send(i);
                    let job = work[i].lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
                    let mut part = Run::empty(cfg);
                    if let Some(job) = job {
                        job(&mut part);
                    }
                    *done[i].lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(part);
                }
            });
        }
        drop(tx);
        for i in rx {
            progress(&labels[i]);
        }
    });
    let mut out = Run::empty(cfg);
    for part in done.into_iter().filter_map(|m| m.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner)) {
        out.steps.extend(part.steps);
        out.controls.extend(part.controls);
    }
    out
}
