package io.clip4j.checkpoint;

import java.nio.file.Path;

/** Reads torch zip archives (torch.save state dicts and TorchScript archives). Not implemented yet. */
final class TorchArchiveReader {
    private TorchArchiveReader() {
    }

    /**
     * @param file a torch zip archive
     * @return never
     * @throws CheckpointException always, until the zip/pickle readers land
     */
    static StateDict read(Path file) {
        throw new CheckpointException(file + ": torch zip archives are not supported yet");
    }
}
