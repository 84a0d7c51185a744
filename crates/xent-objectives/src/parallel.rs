//! Data passes split across threads with a fixed chunking.
//!
//! The data are cut into chunks of [`CHUNK`] observations regardless of the
//! thread count; each chunk is reduced on its own and the chunk results are
//! combined in chunk order on the calling thread. The arithmetic is
//! therefore the same for 1 thread or 64, and results are bitwise identical.

/// Observations per chunk.
pub const CHUNK: usize = 4096;

/// The number of threads to use by default: `XENT_THREADS` if set, else the
/// machine's available parallelism.
pub fn default_threads() -> usize {
    std::env::var("XENT_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// `f` applied to every chunk of `data`, results in chunk order.
pub fn map_chunks<O, R, F>(data: &[O], threads: usize, f: F) -> Vec<R>
where
    O: Sync,
    R: Send,
    F: Fn(&[O]) -> R + Sync,
{
    let chunks: Vec<&[O]> = data.chunks(CHUNK).collect();
    let threads = threads.clamp(1, chunks.len().max(1));
    if threads == 1 {
        return chunks.into_iter().map(&f).collect();
    }
    let per = chunks.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> =
            chunks.chunks(per).map(|group| s.spawn(move || group.iter().map(|c| f(c)).collect::<Vec<R>>())).collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
    })
}

/// `f` applied to the index range of every chunk of `0..n`, in chunk order
/// (the same chunking as [`map_chunks`]).
pub fn map_ranges<R, F>(n: usize, threads: usize, f: F) -> Vec<R>
where
    R: Send,
    F: Fn(std::ops::Range<usize>) -> R + Sync,
{
    let starts: Vec<usize> = (0..n).step_by(CHUNK).collect();
    let f = &f;
    let run = move |&s: &usize| f(s..(s + CHUNK).min(n));
    let threads = threads.clamp(1, starts.len().max(1));
    if threads == 1 {
        return starts.iter().map(run).collect();
    }
    let per = starts.len().div_ceil(threads);
    std::thread::scope(|sc| {
        let handles: Vec<_> =
            starts.chunks(per).map(|group| sc.spawn(move || group.iter().map(run).collect::<Vec<R>>())).collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_results_are_in_order_for_any_thread_count() {
        let data: Vec<f64> = (0..50_000).map(|i| (f64::from(i) * 0.1).sin()).collect();
        let one = map_chunks(&data, 1, |c| c.iter().sum::<f64>());
        for t in [2, 3, 7, 64] {
            let many = map_chunks(&data, t, |c| c.iter().sum::<f64>());
            assert_eq!(one, many, "{t} threads");
        }
        assert_eq!(one.len(), data.len().div_ceil(CHUNK));
        assert!(map_chunks(&[] as &[f64], 4, |c| c.len()).is_empty());
    }
}
