//! [`SortedMap`]: a map kept as one sorted `Vec` of pairs, for the small maps of a design and of
//! the app (a handful of entries each).
//!
//! Why not `BTreeMap`: in WebAssembly every `BTreeMap<K, V>` brings its own copy of node
//! allocation, splitting, merging, rebalancing, handles and iterators — 5 to 8 KB for each pair of key
//! and value types, about 50 KB of the wizard's code before this map. A sorted vector with binary search is as fast
//! for a handful of entries, and its few methods are little code per instantiation. It iterates
//! in key order like `BTreeMap`, so exports and design files stay deterministic.
//!
//! Insert and remove shift the entries after the key: `O(n)`. Use it only for maps that stay
//! small whatever the input; maps whose size follows an imported ruleset (its chains, its rules)
//! stay `BTreeMap`.

use std::borrow::Borrow;

/// A map with unique keys, kept sorted by key in one `Vec`; iteration is in key order.
///
/// # Examples
/// ```
/// use portcullis_engine::collections::SortedMap;
/// let mut map = SortedMap::new();
/// assert_eq!(map.insert("b", 2), None);
/// assert_eq!(map.insert("a", 1), None);
/// assert_eq!(map.insert("b", 3), Some(2));
/// assert_eq!(map.iter().collect::<Vec<_>>(), [(&"a", &1), (&"b", &3)]);
/// assert_eq!(map.remove("a"), Some(1));
/// assert!(!map.contains_key("a"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SortedMap<K, V> {
    /// Sorted by key, no key twice.
    entries: Vec<(K, V)>,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        Self { entries: Vec::new() }
    }
}

impl<K, V> SortedMap<K, V> {
    /// An empty map.
    #[must_use]
    pub const fn new() -> Self {
        Self { entries: Vec::new() }
    }

    /// How many entries the map holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the map holds no entry.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// The entries in key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + ExactSizeIterator {
        self.entries.iter().map(|(key, value)| (key, value))
    }

    /// The keys in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator {
        self.entries.iter().map(|(key, _)| key)
    }

    /// The values in key order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator {
        self.entries.iter().map(|(_, value)| value)
    }

    /// The keys in order, taking the map.
    pub fn into_keys(self) -> impl DoubleEndedIterator<Item = K> + ExactSizeIterator {
        self.entries.into_iter().map(|(key, _)| key)
    }

    /// The values in key order, taking the map.
    pub fn into_values(self) -> impl DoubleEndedIterator<Item = V> + ExactSizeIterator {
        self.entries.into_iter().map(|(_, value)| value)
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    /// Where `key` is (`Ok`) or would go (`Err`).
    fn position<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        self.entries.binary_search_by(|(probe, _)| probe.borrow().cmp(key))
    }

    /// The value of `key`, if the map has it.
    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        let index = self.position(key).ok()?;
        self.entries.get(index).map(|(_, value)| value)
    }

    /// The value of `key` to change, if the map has it.
    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        let index = self.position(key).ok()?;
        self.entries.get_mut(index).map(|(_, value)| value)
    }

    /// Whether the map has `key`.
    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.position(key).is_ok()
    }

    /// Sets the value of `key`, returning the value it replaces (the key already in the map is
    /// kept, like `BTreeMap::insert`).
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.position(&key) {
            Ok(index) => self.entries.get_mut(index).map(|(_, old)| std::mem::replace(old, value)),
            Err(index) => {
                self.entries.insert(index, (key, value));
                None
            }
        }
    }

    /// Removes `key`, returning its value if the map had it.
    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        let index = self.position(key).ok()?;
        Some(self.entries.remove(index).1)
    }

    /// The value of `key` to change, made with `make` first when the map does not have it.
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        let index = match self.position(&key) {
            Ok(index) => index,
            Err(index) => {
                self.entries.insert(index, (key, make()));
                index
            }
        };
        &mut self.entries[index].1
    }
}

/// Like collecting into a `BTreeMap`: entries sorted by key, and of two entries with one key the
/// later one wins. One insert per entry (quadratic, fine for small maps): a sort would add a
/// sorting routine per instantiation, the code this type exists to avoid.
impl<K: Ord, V> FromIterator<(K, V)> for SortedMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Self {
        let mut map = Self::new();
        for (key, value) in pairs {
            map.insert(key, value);
        }
        map
    }
}

impl<K, V> IntoIterator for SortedMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;

    /// The entries in key order.
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::SortedMap;

    #[test]
    fn iterates_in_key_order_whatever_the_insertion_order() {
        let mut map = SortedMap::new();
        for key in ["mail", "web", "db", "ssh", "dns"] {
            assert_eq!(map.insert(key.to_owned(), key.len()), None);
        }
        assert_eq!(map.keys().map(String::as_str).collect::<Vec<_>>(), ["db", "dns", "mail", "ssh", "web"]);
        assert_eq!(map.values().copied().collect::<Vec<_>>(), [2, 3, 4, 3, 3]);
        assert_eq!(map.len(), 5);
        let btree: std::collections::BTreeMap<_, _> = map.clone().into_iter().collect();
        assert!(map.iter().eq(btree.iter()));
    }

    #[test]
    fn insert_replaces_the_value_and_returns_the_old_one() {
        let mut map = SortedMap::new();
        assert_eq!(map.insert(2, "two"), None);
        assert_eq!(map.insert(2, "deux"), Some("two"));
        assert_eq!(map.len(), 1);
        assert_eq!(map.get(&2), Some(&"deux"));
        *map.get_mut(&2).unwrap() = "zwei";
        assert_eq!(map.get(&2), Some(&"zwei"));
        assert_eq!(map.get_mut(&3), None);
    }

    #[test]
    fn remove_takes_the_entry_out_and_keeps_the_order() {
        let mut map: SortedMap<u8, char> = [(3, 'c'), (1, 'a'), (2, 'b')].into_iter().collect();
        assert_eq!(map.remove(&2), Some('b'));
        assert_eq!(map.remove(&2), None);
        assert!(!map.contains_key(&2));
        assert!(map.contains_key(&3));
        assert_eq!(map.iter().collect::<Vec<_>>(), [(&1, &'a'), (&3, &'c')]);
        map.clear();
        assert!(map.is_empty());
    }

    #[test]
    fn collecting_keeps_the_last_value_of_a_key_like_btree_map() {
        let pairs = [("b", 1), ("a", 2), ("b", 3), ("c", 4), ("a", 5), ("b", 6)];
        let map: SortedMap<_, _> = pairs.into_iter().collect();
        let btree: std::collections::BTreeMap<_, _> = pairs.into_iter().collect();
        assert_eq!(map.into_iter().collect::<Vec<_>>(), btree.into_iter().collect::<Vec<_>>());
    }

    #[test]
    fn string_keys_are_looked_up_by_str() {
        let mut map: SortedMap<String, u8> = SortedMap::new();
        map.insert("block-list".to_owned(), 1);
        assert_eq!(map.get("block-list"), Some(&1));
        assert_eq!(map.remove("block-list"), Some(1));
        assert_eq!(map.get("block-list"), None);
    }

    #[test]
    fn get_or_insert_with_makes_the_value_once() {
        let mut map: SortedMap<&str, Vec<u8>> = SortedMap::new();
        map.get_or_insert_with("b", Vec::new).push(1);
        map.get_or_insert_with("a", Vec::new).push(2);
        map.get_or_insert_with("b", || unreachable!("b is already there")).push(3);
        assert_eq!(map.into_iter().collect::<Vec<_>>(), [("a", vec![2]), ("b", vec![1, 3])]);
    }

    #[test]
    fn equal_maps_are_equal_whatever_the_insertion_order() {
        let mut one = SortedMap::new();
        one.insert(1, ());
        one.insert(2, ());
        let mut other = SortedMap::new();
        other.insert(2, ());
        other.insert(1, ());
        assert_eq!(one, other);
    }
}
