//! One keyed list for every list of the wizard (services, groups, customs, rules, findings).
//!
//! Leptos' `<For>` is generic over the item and its key: each list with its own item type
//! would compile its own copy of the keyed diff (`tachys::view::keyed`, its index sets and
//! hashing), 4–8 KB of wasm each. Here every item becomes a [`KeyedView`]: a key of one type
//! and a boxed function that renders it, so the diff is compiled once for the whole page.
//!
//! The keys keep `<For>`'s semantics: an item's key is the hash of the whole item, so an
//! unchanged item keeps its DOM when others come and go, and a changed item is rendered anew.
//! Equal items are told apart by how many equal ones come before them.

use std::hash::{DefaultHasher, Hash, Hasher};

use leptos::prelude::*;

/// An item's key: the hash of the whole item (`SipHash`, 64 bits: two different items collide
/// with a chance of 2⁻⁶⁴), and how many items with that hash come before it in the list, so
/// the keys of a list are always distinct.
type Key = (u64, usize);

/// One item of a [`keyed_list`]: its key and how to render it.
pub(crate) struct KeyedView {
    key: Key,
    render: Box<dyn FnOnce() -> AnyView + Send>,
}

/// Each of `items` as a [`KeyedView`], rendered by `render`.
pub(crate) fn keyed_views<T, V>(items: &[T], render: impl Fn(T) -> V + Clone + Send + 'static) -> Vec<KeyedView>
where
    T: Hash + Clone + Send + 'static,
    V: IntoView + 'static,
{
    let hashes: Vec<u64> = items.iter().map(hash_of).collect();
    let keys = keys_of(&hashes);
    items
        .iter()
        .zip(keys)
        .map(|(item, key)| {
            let (item, render) = (item.clone(), render.clone());
            KeyedView { key, render: Box::new(move || render(item).into_any()) }
        })
        .collect()
}

fn hash_of(item: &impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    item.hash(&mut hasher);
    hasher.finish()
}

/// The keys of items with these `hashes`: each hash with the count of equal hashes before it.
/// Counted by a scan, not a hash map: the wizard's lists hold at most a few hundred items, and
/// one map type less is less code in the page.
fn keys_of(hashes: &[u64]) -> Vec<Key> {
    (0..hashes.len()).map(|at| (hashes[at], hashes[..at].iter().filter(|&&earlier| earlier == hashes[at]).count())).collect()
}

/// The views of `each`, keyed: an update adds, moves and removes only the items whose keys
/// came, moved or went. Renders no element of its own (like `<For>`).
pub(crate) fn keyed_list(each: impl Fn() -> Vec<KeyedView> + Send + 'static) -> AnyView {
    keyed_list_of(Box::new(each))
}

/// The one instantiation of `<For>` (and of the keyed diff) of the page.
fn keyed_list_of(each: Box<dyn Fn() -> Vec<KeyedView> + Send>) -> AnyView {
    view! { <For each key=|item: &KeyedView| item.key children=|item: KeyedView| (item.render)()/> }.into_any()
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    fn keys<T: Hash + Clone + Send + 'static>(items: &[T]) -> Vec<Key> {
        keyed_views(items, |_| ()).iter().map(|view| view.key).collect()
    }

    #[wasm_bindgen_test]
    fn keys_stay_with_their_items_and_tell_equal_ones_apart() {
        let before = keys(&["a", "b", "a"]);
        assert_ne!(before[0], before[2], "equal items get different keys");
        assert_eq!(before[0].0, before[2].0);
        // "c" inserted first: every earlier key is still there, and still unique.
        let after = keys(&["c", "a", "b", "a"]);
        assert_eq!(after[1..], before[..]);
        assert_eq!(after.len(), after.iter().collect::<std::collections::HashSet<_>>().len());
    }

    #[wasm_bindgen_test]
    fn a_changed_item_gets_a_new_key() {
        let before = keys(&[("ssh", 22), ("web", 80)]);
        let after = keys(&[("ssh", 2222), ("web", 80)]);
        assert_ne!(before[0], after[0]);
        assert_eq!(before[1], after[1]);
    }
}
