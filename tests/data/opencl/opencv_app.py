# OpenCV's OpenCL module (T-API) as an application uses it (tests/e2e/opencl_capture.sh): UMat
# operations that make OpenCV build its own OpenCL C programs with clBuildProgram. On a simulated
# GPU the kernels do not run (OpenCV falls back to the CPU): the test is about the builds.
import cv2
import numpy as np

cv2.ocl.setUseOpenCL(True)
print("opencl", cv2.ocl.haveOpenCL(), cv2.ocl.useOpenCL())
u = cv2.UMat(np.ones((64, 64), np.float32))
cv2.add(u, u)
cv2.GaussianBlur(u, (5, 5), 1.0)
cv2.resize(u, (32, 32))
print("done")
