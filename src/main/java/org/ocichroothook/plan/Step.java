package org.ocichroothook.plan;

/**
 * One step of a chroot's plan: inert data that says what it is and carries its own flags, so the
 * executor tells steps apart by type, never by a string such as a source of "proc".
 */
public sealed interface Step permits MountStep, CopiedFile, Seal {}
