//! One store test written as a function run on both stores:
//! `on_both_stores!(test_a, test_b)` turns each `fn name(stores: &Stores)`
//! into the tests `name::sqlite` and `name::postgres`, with the same
//! [`Stores`] as `both_stores!` (tests/common/stores.rs), which takes the
//! test's body instead.

#[allow(unused_imports)]
pub use super::stores::Stores;

/// `on_both_stores!(test_a, test_b)`: the tests `test_a::sqlite`,
/// `test_a::postgres`, ...
#[allow(unused_macros)] // each test binary uses a subset of tests/common
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[test]
                fn sqlite() {
                    super::$name(&crate::common::stores::Stores::sqlite())
                }

                #[test]
                fn postgres() {
                    if let Some(stores) = crate::common::stores::Stores::postgres() {
                        super::$name(&stores)
                    }
                }
            }
        )*
    };
}
#[allow(unused_imports)]
pub(crate) use on_both_stores;
