import Foundation

/// A value behind a `pthread_mutex`. Like the standard library's `Mutex`, but ThreadSanitizer sees its
/// lock and unlock (it intercepts pthread calls; `Mutex`'s futex code is not instrumented on Linux, so its
/// critical sections would be reported as races), which keeps the TSan runs of the thread pool, kernels and
/// DataLoader meaningful.
final class Locked<Value: ~Copyable>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    init(_ value: consuming Value) {
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        self.value = value
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
