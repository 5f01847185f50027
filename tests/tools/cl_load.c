/* An OpenCL application that loads its kernels from an aotpack archive through libaotpack_rt's
 * C API (aotpack/runtime_opencl.h): tests/e2e/runtime_opencl.sh.
 *   cl_load ARCHIVE MODULE KERNEL   prints where the program came from and sets one argument */
#include <aotpack/runtime_opencl.h>

#include <stdio.h>

int main(int argc, char** argv) {
    if (argc != 4) return 2;
    cl_platform_id platform;
    cl_device_id device;
    cl_int error = clGetPlatformIDs(1, &platform, NULL);
    if (error == CL_SUCCESS) error = clGetDeviceIDs(platform, CL_DEVICE_TYPE_GPU, 1, &device, NULL);
    if (error != CL_SUCCESS) return 3;
    cl_context context = clCreateContext(NULL, 1, &device, NULL, NULL, &error);
    aotpack_archive* archive = NULL;
    if (aotpack_archive_open_file(argv[1], &archive) != AOTPACK_SUCCESS) {
        fprintf(stderr, "open: %s\n", aotpack_last_error());
        return 4;
    }
    cl_program program = NULL;
    aotpack_load_info info;
    aotpack_result r =
        aotpack_cl_program_create(archive, context, device, argv[2], NULL, &program, &info);
    if (r != AOTPACK_SUCCESS) {
        fprintf(stderr, "create: %d %s\n", (int)r, aotpack_last_error());
        return 5;
    }
    cl_kernel kernel = clCreateKernel(program, argv[3], &error);
    cl_mem buffer = clCreateBuffer(context, CL_MEM_READ_WRITE, 256, NULL, &error);
    error = clSetKernelArg(kernel, 0, sizeof buffer, &buffer);
    printf("source %d entry_ip %u set_arg %d\n", (int)info.source, info.entry_ip, (int)error);
    clReleaseMemObject(buffer);
    clReleaseKernel(kernel);
    clReleaseProgram(program);
    clReleaseContext(context);
    aotpack_archive_close(archive);
    return 0;
}
