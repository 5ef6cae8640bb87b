package io.clip4j.image;

import io.clip4j.ClipException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The indices of one batch, taken in turn by the calling thread and helper tasks on an executor; the failure of the
 * lowest index wins. Used by {@link ImagePreprocessor}'s batch methods.
 */
final class SharedBatch {
    private final AtomicInteger next;
    private final int to;
    private final IntConsumer task;
    private int unfinished; // indices not yet taken, or taken and still running; guarded by this
    private Throwable failure; // guarded by this
    private int failedIndex = Integer.MAX_VALUE; // guarded by this; -1 for the batch as a whole

    /**
     * Runs task(i) for every i in [from, to): the calling thread and up to {@code parallelism - 1} helper tasks on
     * {@code executor} take the indices in turn; rethrows the failure of the lowest index. The caller waits only for
     * indices a helper has started, so a helper that never runs (an executor shut down with {@code shutdownNow()}
     * drops its queue) cannot hang the call.
     */
    static void run(Executor executor, int parallelism, int from, int to, IntConsumer task) {
        SharedBatch batch = new SharedBatch(from, to, task);
        int helpers = Math.min(parallelism, to - from) - 1;
        for (int t = 0; t < helpers; t++) {
            try {
                executor.execute(batch::work);
            } catch (RuntimeException e) {
                // A shut-down, saturated or broken executor throws from execute(): stop, but still wait for the
                // indices in progress, so that none is written into the batch after this call has failed.
                batch.fail(new ClipException("batch preprocessing: the executor refused task " + (t + 1) + " of "
                        + helpers + ": " + e, e));
                break;
            }
        }
        batch.work(true);
        batch.await();
    }

    private SharedBatch(int from, int to, IntConsumer task) {
        this.next = new AtomicInteger(from);
        this.to = to;
        this.task = task;
        this.unfinished = to - from;
    }

    /** A helper's share: takes indices until none are left; those after a failure are skipped. */
    private void work() {
        work(false);
    }

    /**
     * Takes indices until none are left. The caller also stops the batch when it is interrupted: the call then
     * throws {@link ClipException}, with the thread's interrupt status left set.
     */
    private void work(boolean caller) {
        for (int i; (i = next.getAndIncrement()) < to; ) {
            try {
                if (caller && Thread.currentThread().isInterrupted()) {
                    fail(interrupted());
                }
                if (!failedBefore(i)) {
                    task.accept(i);
                }
            } catch (RuntimeException | Error e) {
                failAt(i, e);
            } finally {
                synchronized (this) {
                    if (--unfinished == 0) {
                        notifyAll();
                    }
                }
            }
        }
    }

    private void fail(RuntimeException e) {
        failAt(-1, e);
    }

    static ClipException interrupted() {
        return new ClipException("batch preprocessing was interrupted");
    }

    private synchronized boolean failedBefore(int i) {
        return failedIndex < i;
    }

    private synchronized void failAt(int i, Throwable e) {
        if (i < failedIndex) {
            failedIndex = i;
            failure = e;
        }
    }

    /**
     * Waits until every index is finished (called once the caller has taken the last one, so only images a
     * helper is working on remain), then rethrows the failure if there is one. Not interruptible: the images
     * in progress write into the batch; an interrupt is kept in the thread's status.
     */
    private void await() {
        boolean interrupted = false;
        synchronized (this) {
            while (unfinished > 0) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (failure instanceof Error e) {
                throw e;
            }
            if (failure != null) {
                throw (RuntimeException) failure;
            }
        }
    }
}
