/**
 * Contrastive training of CLIP on LibTorch autograd (CLIP paper section 2.5, Figure 3): {@link
 * io.clip4j.train.TrainableClip} (any {@link io.clip4j.ClipConfig}, reference initialisation or a checkpoint),
 * {@link io.clip4j.train.ContrastiveLoss}, {@link io.clip4j.train.Trainer} (AdamW with decay groups, warm-up +
 * cosine schedule, temperature clamp, exact resume), {@link io.clip4j.train.TrainingRun} (the loop with
 * evaluation hooks, checkpoints and export to safetensors under OpenAI names).
 */
package io.clip4j.train;
