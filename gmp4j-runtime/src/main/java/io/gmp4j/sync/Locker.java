package io.gmp4j.sync;

/** mutex.go: Locker. An object that can be locked and unlocked ({@link Mutex}, {@link RWMutex}, {@link RWMutex#rLocker}). */
public interface Locker {
    void lock();

    void unlock();
}
