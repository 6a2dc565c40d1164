package io.gmp4j.sync;

/** mutex.go: Locker. An object that can be locked and unlocked ({@link Mutex}, {@link RWMutex}, {@link RWMutex#rLocker}). */
public interface Locker {
    /** Locks (Mutex.Lock, or RWMutex.RLock for an {@link RWMutex#rLocker}). */
    void lock();

    /** Unlocks (Mutex.Unlock, or RWMutex.RUnlock for an {@link RWMutex#rLocker}). */
    void unlock();
}
