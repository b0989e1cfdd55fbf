//! npm's staged publishing (`npm stage approve`): approving a staged release after `verify`.
