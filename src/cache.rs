//! In-memory caches of what rarely changes and is read on every request: the principal behind
//! an API key, and what verification answers about a certificate. Each instance keeps its
//! own; a change made anywhere reaches every instance through a PostgreSQL notification
//! (`background::listener`), and the instance that made it forgets at once.
//!
//! A cache is trusted only while the listener is connected: when the listener loses its
//! connection, notifications may be lost, so the caches empty and stop answering until it is
//! back. A load that started before an invalidation is never stored after it (generations).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Proof that a load began at a given generation; `Cache::insert` refuses stale loads.
#[derive(Debug, Clone, Copy)]
pub struct Ticket(u64);

struct Inner<V> {
    entries: HashMap<String, (Instant, V)>,
    generation: u64,
    trusted: bool,
}

/// A map from text keys to values with a time to live, a bound on its size and
/// invalidation that wins over loads in flight.
pub struct Cache<V> {
    inner: Mutex<Inner<V>>,
    ttl: Duration,
    capacity: usize,
}

impl<V: Clone> Cache<V> {
    /// A cache that keeps entries for `ttl` (none at all for zero), at most `capacity` of them.
    /// It starts untrusted: nothing is kept until the listener says it is connected.
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Inner {
                entries: HashMap::new(),
                generation: 0,
                trusted: false,
            }),
            ttl,
            capacity,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner<V>> {
        // A panic while holding the lock leaves a map that is still consistent.
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn get(&self, key: &str) -> Option<V> {
        let inner = self.lock();
        if !inner.trusted {
            return None;
        }
        inner
            .entries
            .get(key)
            .filter(|(stored_at, _)| stored_at.elapsed() < self.ttl)
            .map(|(_, value)| value.clone())
    }

    /// Take before loading from the database.
    pub fn ticket(&self) -> Ticket {
        Ticket(self.lock().generation)
    }

    /// Keeps `value` unless something was invalidated since `ticket` was taken.
    pub fn insert(&self, ticket: Ticket, key: String, value: V) {
        let mut inner = self.lock();
        if !inner.trusted || inner.generation != ticket.0 || self.ttl.is_zero() {
            return;
        }
        if inner.entries.len() >= self.capacity {
            let ttl = self.ttl;
            inner.entries.retain(|_, (stored_at, _)| stored_at.elapsed() < ttl);
            if inner.entries.len() >= self.capacity {
                inner.entries.clear();
            }
        }
        inner.entries.insert(key, (Instant::now(), value));
    }

    /// Forgets every entry `matches` selects.
    pub fn invalidate(&self, matches: impl Fn(&str, &V) -> bool) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.entries.retain(|key, (_, value)| !matches(key, value));
    }

    /// Empties the cache and sets whether it may answer from now on.
    pub fn reset(&self, trusted: bool) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.entries.clear();
        inner.trusted = trusted;
    }

    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trusted() -> Cache<u32> {
        let cache = Cache::new(Duration::from_secs(60), 3);
        cache.reset(true);
        cache
    }

    #[test]
    fn an_untrusted_cache_neither_keeps_nor_answers() {
        let cache = Cache::new(Duration::from_secs(60), 3);
        cache.insert(cache.ticket(), "a".into(), 1);
        assert_eq!(cache.get("a"), None);
        cache.reset(true);
        cache.insert(cache.ticket(), "a".into(), 1);
        cache.reset(false);
        assert_eq!(cache.get("a"), None);
    }

    #[test]
    fn a_load_that_began_before_an_invalidation_is_not_kept() {
        let cache = trusted();
        let ticket = cache.ticket();
        cache.invalidate(|key, _| key == "a");
        cache.insert(ticket, "a".into(), 1);
        assert_eq!(cache.get("a"), None);
        cache.insert(cache.ticket(), "a".into(), 2);
        assert_eq!(cache.get("a"), Some(2));
    }

    #[test]
    fn invalidation_forgets_only_what_it_selects() {
        let cache = trusted();
        cache.insert(cache.ticket(), "a".into(), 1);
        cache.insert(cache.ticket(), "b".into(), 2);
        cache.invalidate(|_, value| *value == 1);
        assert_eq!((cache.get("a"), cache.get("b")), (None, Some(2)));
    }

    #[test]
    fn entries_expire_and_a_full_cache_makes_room() {
        let cache = trusted();
        for (index, key) in ["a", "b", "c", "d"].into_iter().enumerate() {
            cache.insert(cache.ticket(), key.into(), index as u32);
        }
        assert!(cache.len() <= 3);
        assert_eq!(cache.get("d"), Some(3));
        let expired = Cache::new(Duration::ZERO, 3);
        expired.reset(true);
        expired.insert(expired.ticket(), "a".into(), 1);
        assert_eq!(expired.get("a"), None);
    }
}
