package io.clip4j.torch;

import io.clip4j.Device;
import io.clip4j.Precision;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.Objects;

/**
 * Where a model's tensors live and the floating-point type its towers compute in: the weights are moved and
 * cast once when the model is built, every input is uploaded per call, and every result comes back as float32
 * on the host. Immutable; holds no native memory (the LibTorch device objects it makes belong to the caller's
 * {@link org.bytedeco.javacpp.PointerScope}).
 */
final class Placement {
    /** The CPU in float32: the reference {@code clip.load(device="cpu")}. */
    static final Placement CPU_FLOAT32 = new Placement(Device.CPU, Precision.FLOAT32);

    private final Device device;
    private final Precision precision;

    Placement(Device device, Precision precision) {
        this.device = Objects.requireNonNull(device, "device");
        this.precision = Objects.requireNonNull(precision, "precision");
    }

    Device device() {
        return device;
    }

    Precision precision() {
        return precision;
    }

    /** @return true when tensors need no move and no cast: the CPU in float32 (the reference's own setting) */
    boolean isHostFloat32() {
        return !device.isCuda() && precision == Precision.FLOAT32;
    }

    /** @return the LibTorch dtype of {@link #precision()} */
    torch.ScalarType computeType() {
        switch (precision) {
            case FLOAT16: return torch.ScalarType.Half;
            case BFLOAT16: return torch.ScalarType.BFloat16;
            default: return torch.ScalarType.Float;
        }
    }

    /**
     * Dtype test that works on the enum values JavaCPP returns: {@code scalar_type()} yields a fresh enum object
     * each call (same {@code value}, different identity), so {@code ==} on it is always false.
     *
     * @return true if {@code t} has dtype {@code type}
     */
    static boolean hasType(Tensor t, torch.ScalarType type) {
        return t.scalar_type().value == type.value;
    }

    /** @return a new LibTorch device object for {@link #device()}; call inside a PointerScope */
    org.bytedeco.pytorch.Device torchDevice() {
        return device.isCuda() ? new org.bytedeco.pytorch.Device(torch.DeviceType.CUDA, (byte) device.index())
                : new org.bytedeco.pytorch.Device(torch.DeviceType.CPU);
    }

    /**
     * @param t     a tensor on any device, of any dtype
     * @param dtype the wanted dtype
     * @return a new tensor on {@link #device()} with that dtype, never {@code t} itself (so the result owns its
     *         storage even when {@code t} views a buffer that is freed later)
     */
    Tensor copyTo(Tensor t, torch.ScalarType dtype) {
        return t.to(torchDevice(), dtype, false, true, new MemoryFormatOptional());
    }

    /**
     * Uploads one input of a forward call.
     *
     * @param t a host tensor (float32 pixels, or int64 token ids)
     * @return {@code t} itself on the CPU in float32; otherwise a copy on the device, floating-point inputs cast
     *         to the compute type (like the reference's {@code image.type(self.dtype)}), integer ones unchanged
     */
    Tensor upload(Tensor t) {
        if (isHostFloat32()) {
            return t;
        }
        torch.ScalarType type = hasType(t, torch.ScalarType.Float) ? computeType() : t.scalar_type();
        return t.to(torchDevice(), type, false, false, new MemoryFormatOptional());
    }

    @Override
    public String toString() {
        return device + "/" + precision;
    }
}
